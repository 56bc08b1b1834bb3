<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AppPresenter</name>
    <message>
        <source>In RAM</source>
        <translation>Im RAM</translation>
    </message>
    <message>
        <source>Swap</source>
        <translation>Swap</translation>
    </message>
    <message>
        <source>Shared files</source>
        <translation>Geteilte Dateien</translation>
    </message>
    <message>
        <source>DMA-BUF</source>
        <translation>DMA-BUF</translation>
    </message>
    <message>
        <source>GPU in RAM</source>
        <translation>GPU im RAM</translation>
    </message>
    <message>
        <source>Video memory</source>
        <translation>Grafikspeicher</translation>
    </message>
    <message>
        <source>Page tables</source>
        <translation>Seitentabellen</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Gesamt</translation>
    </message>
    <message>
        <source>Memory of its processes in RAM (resident set).</source>
        <translation>Speicher seiner Prozesse im RAM (Resident Set).</translation>
    </message>
    <message>
        <source>Memory moved out to swap.</source>
        <translation>In den Swap ausgelagerter Speicher.</translation>
    </message>
    <message>
        <source>Its share of memory files (memfd), files in /dev/shm or /tmp kept in RAM, and shared memory segments it holds without mapping them. The kernel does not count this for it.</source>
        <translation>Sein Anteil an Speicherdateien (memfd), an Dateien in /dev/shm oder /tmp, die im RAM liegen, und an Shared-Memory-Segmenten, die es hält, ohne sie einzublenden. Der Kernel rechnet ihm das nicht an.</translation>
    </message>
    <message>
        <source>Its share of buffers shared with graphics, video or camera drivers. The kernel does not count this for it.</source>
        <translation>Sein Anteil an Puffern, die es mit Grafik-, Video- oder Kameratreibern teilt. Der Kernel rechnet ihm das nicht an.</translation>
    </message>
    <message>
        <source>GPU buffers kept in system RAM (integrated graphics, GTT). The kernel does not count this for it.</source>
        <translation>GPU-Puffer im Arbeitsspeicher (integrierte Grafik, GTT). Der Kernel rechnet ihm das nicht an.</translation>
    </message>
    <message>
        <source>Memory on the graphics card. Not RAM: shown for information, not in the total.</source>
        <translation>Speicher auf der Grafikkarte. Kein RAM: nur zur Information, nicht in der Summe.</translation>
    </message>
    <message>
        <source>Everything in RAM or swap this app is responsible for, including what the kernel cannot see.</source>
        <translation>Alles im RAM oder Swap, wofür diese App verantwortlich ist, auch was der Kernel nicht sieht.</translation>
    </message>
    <message>
        <source>never picked</source>
        <translation>nie gewählt</translation>
    </message>
    <message>
        <source>The kernel&apos;s out-of-memory killer would never pick this app.</source>
        <translation>Der OOM-Killer des Kernels würde diese App nie wählen.</translation>
    </message>
    <message>
        <source>%1 lower</source>
        <comment>rank places: the kernel ranks the app %1 places lower</comment>
        <translation>%1 tiefer</translation>
    </message>
    <message>
        <source>%1 higher</source>
        <comment>rank places: the kernel ranks the app %1 places higher</comment>
        <translation>%1 höher</translation>
    </message>
    <message>
        <source>same</source>
        <comment>the kernel ranks the app in the same place</comment>
        <translation>gleich</translation>
    </message>
    <message>
        <source>%1 — %2 %3</source>
        <comment>size — kind of object, its name</comment>
        <translation>%1 — %2 %3</translation>
    </message>
    <message>
        <source>The kernel ranks it %1 places lower than it should: it cannot see %2 this app holds.</source>
        <translation>Der Kernel stuft sie %1 Plätze zu tief ein: Er sieht %2 nicht, die diese App belegt.</translation>
    </message>
    <message>
        <source>The kernel ranks it %1 places lower than MemWarden does.</source>
        <translation>Der Kernel stuft sie %1 Plätze tiefer ein als MemWarden.</translation>
    </message>
    <message>
        <source>The kernel ranks it %1 places higher: other apps hold more memory than the kernel sees.</source>
        <translation>Der Kernel stuft sie %1 Plätze höher ein: Andere Apps belegen mehr Speicher, als der Kernel sieht.</translation>
    </message>
    <message>
        <source>The kernel and MemWarden agree on this app.</source>
        <translation>Kernel und MemWarden sind sich bei dieser App einig.</translation>
    </message>
    <message>
        <source>%1 video memory</source>
        <translation>%1 Grafikspeicher</translation>
    </message>
    <message>
        <source>(split among %1 processes)</source>
        <translation>(auf %1 Prozesse verteilt)</translation>
    </message>
    <message>
        <source>Hidden from the kernel: %1</source>
        <translation>Vor dem Kernel verborgen: %1</translation>
    </message>
    <message>
        <source>Holds %1 in all; the kernel sees %2 of it.</source>
        <translation>Belegt insgesamt %1; der Kernel sieht davon %2.</translation>
    </message>
    <message>
        <source>Kernel&apos;s pick: %1 · MemWarden&apos;s pick: #%2. %3</source>
        <translation>Wahl des Kernels: %1 · Wahl von MemWarden: #%2. %3</translation>
    </message>
    <message>
        <source>Biggest hidden objects:</source>
        <translation>Größte verborgene Objekte:</translation>
    </message>
    <message>
        <source>Some of its processes could not be inspected: the hidden part is a lower bound.</source>
        <translation>Einige ihrer Prozesse ließen sich nicht untersuchen: Der verborgene Teil ist eine Untergrenze.</translation>
    </message>
</context>
<context>
    <name>AppRules</name>
    <message>
        <source>Protected by your rule “%1”.</source>
        <translation>Geschützt durch Ihre Regel „%1“.</translation>
    </message>
    <message>
        <source>Sacrificed first by your rule “%1”.</source>
        <translation>Wird zuerst geopfert durch Ihre Regel „%1“.</translation>
    </message>
</context>
<context>
    <name>AppsTableModel</name>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Gesamt</translation>
    </message>
    <message>
        <source>In RAM</source>
        <translation>Im RAM</translation>
    </message>
    <message>
        <source>Swap</source>
        <translation>Swap</translation>
    </message>
    <message>
        <source>Shared
files</source>
        <translation>Geteilte
Dateien</translation>
    </message>
    <message>
        <source>DMA-BUF</source>
        <translation>DMA-BUF</translation>
    </message>
    <message>
        <source>GPU in
RAM</source>
        <translation>GPU im
RAM</translation>
    </message>
    <message>
        <source>Video
memory</source>
        <translation>Grafik-
speicher</translation>
    </message>
    <message>
        <source>Kernel&apos;s
pick</source>
        <translation>Wahl des
Kernels</translation>
    </message>
    <message>
        <source>MemWarden&apos;s
pick</source>
        <translation>Wahl von
MemWarden</translation>
    </message>
    <message>
        <source>Kernel
ranks it</source>
        <translation>Kernel
stuft sie</translation>
    </message>
    <message>
        <source>If memory
runs out</source>
        <translation>Bei Speicher-
mangel</translation>
    </message>
    <message>
        <source>The order in which the kernel&apos;s out-of-memory killer would pick apps. It counts only memory mapped into processes.</source>
        <translation>Die Reihenfolge, in der der OOM-Killer des Kernels Apps wählen würde. Er zählt nur Speicher, der in Prozesse eingeblendet ist.</translation>
    </message>
    <message>
        <source>The order by everything an app really holds, including shared memory files and graphics buffers.</source>
        <translation>Die Reihenfolge nach allem, was eine App wirklich belegt, samt geteilten Speicherdateien und Grafikpuffern.</translation>
    </message>
    <message>
        <source>How the kernel&apos;s order differs from the real one. An app ranked lower by the kernel can fill the memory while the kernel kills an innocent app.</source>
        <translation>Wie die Reihenfolge des Kernels von der wirklichen abweicht. Eine App, die der Kernel zu tief einstuft, kann den Speicher füllen, während der Kernel eine unschuldige App beendet.</translation>
    </message>
    <message>
        <source>Protect an app, sacrifice it first, or leave it to MemWarden. Saved by the monitor.</source>
        <translation>Eine App schützen, zuerst opfern oder MemWarden entscheiden lassen. Der Wächter speichert es.</translation>
    </message>
</context>
<context>
    <name>Formatting</name>
    <message>
        <source>%1/s</source>
        <comment>bytes per second</comment>
        <translation>%1/s</translation>
    </message>
    <message>
        <source>%1%</source>
        <comment>a percentage</comment>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 s</source>
        <comment>seconds</comment>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>about %1 min</source>
        <translation>etwa %1 min</translation>
    </message>
    <message>
        <source>about %1 h</source>
        <translation>etwa %1 h</translation>
    </message>
    <message>
        <source>not running out</source>
        <translation>geht nicht aus</translation>
    </message>
    <message>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>in %1</translation>
    </message>
</context>
<context>
    <name>HistoryView</name>
    <message>
        <source>History of free memory and pressure</source>
        <translation>Verlauf von freiem Speicher und Speicherdruck</translation>
    </message>
    <message>
        <source>warn</source>
        <translation>warnen</translation>
    </message>
    <message>
        <source>close</source>
        <translation>schließen</translation>
    </message>
    <message>
        <source>at once</source>
        <translation>sofort</translation>
    </message>
    <message>
        <source>Free memory</source>
        <translation>Freier Speicher</translation>
    </message>
    <message>
        <source>Waiting for memory</source>
        <translation>Warten auf Speicher</translation>
    </message>
    <message>
        <source>%1 ago</source>
        <translation>vor %1</translation>
    </message>
    <message>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
    <message>
        <source>Collecting data…</source>
        <translation>Daten werden gesammelt …</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>MemWarden</source>
        <translation>MemWarden</translation>
    </message>
    <message>
        <source>Apps</source>
        <translation>Apps</translation>
    </message>
    <message>
        <source>Leftover files</source>
        <translation>Verwaiste Dateien</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>The kernel picks what to kill by the memory it can see. Apps that hold shared memory files or graphics buffers look small to it: the kernel would kill an innocent app first. The difference is in the last columns.</source>
        <translation>Der Kernel wählt, was er beendet, nach dem Speicher, den er sieht. Apps, die geteilte Speicherdateien oder Grafikpuffer halten, wirken auf ihn klein: Er würde zuerst eine unschuldige App beenden. Der Unterschied steht in den letzten Spalten.</translation>
    </message>
    <message>
        <source>Filter by name or kind</source>
        <translation>Nach Name oder Art filtern</translation>
    </message>
    <message>
        <source>Only apps the kernel underrates</source>
        <translation>Nur Apps, die der Kernel unterschätzt</translation>
    </message>
    <message>
        <source>Leftover files (%1)</source>
        <translation>Verwaiste Dateien (%1)</translation>
    </message>
    <message>
        <source>Select an app to see what it holds and why it ranks where it does.</source>
        <translation>Wählen Sie eine App, um zu sehen, was sie belegt und warum sie an dieser Stelle steht.</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>Memory is fine</source>
        <translation>Speicher ist in Ordnung</translation>
    </message>
    <message>
        <source>Memory is running low</source>
        <translation>Der Speicher wird knapp</translation>
    </message>
    <message>
        <source>Out of memory: an app is about to be closed</source>
        <translation>Speicher erschöpft: Gleich wird eine App geschlossen</translation>
    </message>
    <message>
        <source>Guarding is paused</source>
        <translation>Die Überwachung ist pausiert</translation>
    </message>
    <message>
        <source>Not guarding: the monitor is not running</source>
        <translation>Keine Überwachung: Der Wächter läuft nicht</translation>
    </message>
    <message>
        <source>Starting the monitor…</source>
        <translation>Der Wächter wird gestartet …</translation>
    </message>
    <message>
        <source>Memory state unknown</source>
        <translation>Speicherzustand unbekannt</translation>
    </message>
    <message>
        <source>Available memory is below the warning level.</source>
        <translation>Der verfügbare Speicher liegt unter der Warnschwelle.</translation>
    </message>
    <message>
        <source>Memory is filling up fast.</source>
        <translation>Der Speicher füllt sich schnell.</translation>
    </message>
    <message>
        <source>Apps are waiting for memory: the system is slowing down.</source>
        <translation>Apps warten auf Speicher: Das System wird langsamer.</translation>
    </message>
    <message>
        <source>Available memory has reached the closing level.</source>
        <translation>Der verfügbare Speicher hat die Schwelle zum Schließen erreicht.</translation>
    </message>
    <message>
        <source>Memory is almost exhausted.</source>
        <translation>Der Speicher ist fast erschöpft.</translation>
    </message>
    <message>
        <source>The system has been stalling on memory for several seconds.</source>
        <translation>Das System stockt seit einigen Sekunden wegen Speichermangels.</translation>
    </message>
    <message>
        <source>Memory is coming back, but not yet above the warning level.</source>
        <translation>Der Speicher wird wieder frei, liegt aber noch nicht über der Warnschwelle.</translation>
    </message>
    <message>
        <source>Memory is running low.</source>
        <translation>Der Speicher wird knapp.</translation>
    </message>
    <message>
        <source>You chose to sacrifice it first.</source>
        <translation>Sie haben festgelegt, sie zuerst zu opfern.</translation>
    </message>
    <message>
        <source>Most of its memory is shared memory or GPU buffers, which the kernel does not count: the kernel would have closed an innocent app instead.</source>
        <translation>Ihr Speicher besteht größtenteils aus geteiltem Speicher oder GPU-Puffern, die der Kernel nicht zählt: Der Kernel hätte stattdessen eine unschuldige App beendet.</translation>
    </message>
    <message>
        <source>Its memory is growing fast.</source>
        <translation>Ihr Speicher wächst schnell.</translation>
    </message>
    <message>
        <source>It uses the most memory.</source>
        <translation>Sie belegt den meisten Speicher.</translation>
    </message>
    <message>
        <source>You asked to close it.</source>
        <translation>Sie haben darum gebeten, sie zu schließen.</translation>
    </message>
    <message>
        <source>It is the app MemWarden chose to close.</source>
        <translation>Es ist die App, die MemWarden zum Schließen ausgewählt hat.</translation>
    </message>
    <message>
        <source>No app can be closed: every app is protected or part of the desktop.</source>
        <translation>Keine App kann geschlossen werden: Alle Apps sind geschützt oder gehören zum Desktop.</translation>
    </message>
    <message>
        <source>The memory is held by files in shared-memory folders that no app has open: closing apps will not free it.</source>
        <translation>Der Speicher wird von Dateien in Shared-Memory-Ordnern belegt, die keine App geöffnet hat: Apps zu schließen gibt ihn nicht frei.</translation>
    </message>
    <message>
        <source>It is the best app to close.</source>
        <translation>Sie zu schließen hilft am meisten.</translation>
    </message>
    <message>
        <source>It is protected. Remove the protection to close it.</source>
        <translation>Sie ist geschützt. Heben Sie den Schutz auf, um sie zu schließen.</translation>
    </message>
    <message>
        <source>It is part of the desktop session.</source>
        <translation>Sie gehört zur Desktop-Sitzung.</translation>
    </message>
    <message>
        <source>It belongs to another user.</source>
        <translation>Sie gehört einem anderen Benutzer.</translation>
    </message>
    <message>
        <source>It is the system&apos;s first process.</source>
        <translation>Sie ist der erste Prozess des Systems.</translation>
    </message>
    <message>
        <source>It is MemWarden itself.</source>
        <translation>Es ist MemWarden selbst.</translation>
    </message>
    <message>
        <source>The monitor has not looked at the apps yet. Try again in a moment.</source>
        <translation>Der Monitor hat sich die Apps noch nicht angesehen. Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>It is not running any more.</source>
        <translation>Sie läuft nicht mehr.</translation>
    </message>
    <message>
        <source>The monitor does not know this rule.</source>
        <translation>Der Monitor kennt diese Regel nicht.</translation>
    </message>
    <message>
        <source>No app was named.</source>
        <translation>Es wurde keine App angegeben.</translation>
    </message>
    <message>
        <source>The app has no name to remember the rule by.</source>
        <translation>Die App hat keinen Namen, unter dem die Regel gespeichert werden kann.</translation>
    </message>
    <message>
        <source>The app&apos;s name is too long to remember a rule by.</source>
        <translation>Der Name der App ist zu lang, um eine Regel darunter zu speichern.</translation>
    </message>
    <message>
        <source>The app&apos;s name cannot be used for a rule.</source>
        <translation>Der Name der App kann nicht für eine Regel verwendet werden.</translation>
    </message>
    <message>
        <source>The monitor is not running.</source>
        <translation>Der Wächter läuft nicht.</translation>
    </message>
    <message>
        <source>The monitor did not answer in time.</source>
        <translation>Der Wächter hat nicht rechtzeitig geantwortet.</translation>
    </message>
    <message>
        <source>MemWarden is not connected to the session bus.</source>
        <translation>MemWarden ist nicht mit dem Sitzungsbus verbunden.</translation>
    </message>
    <message>
        <source>The monitor&apos;s answer could not be read.</source>
        <translation>Die Antwort des Monitors konnte nicht gelesen werden.</translation>
    </message>
    <message>
        <source>The monitor could not do it.</source>
        <translation>Der Monitor konnte es nicht ausführen.</translation>
    </message>
    <message>
        <source>Something went wrong inside the monitor; its log says what.</source>
        <translation>Im Monitor ist etwas schiefgegangen; sein Protokoll sagt, was.</translation>
    </message>
    <message>
        <source>The monitor is busy answering other requests. Try again in a moment.</source>
        <translation>Der Wächter beantwortet gerade andere Anfragen. Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>There are too many protected or sacrificed apps: remove a rule first.</source>
        <translation>Es gibt zu viele geschützte oder zuerst geopferte Apps: Entfernen Sie zuerst eine Regel.</translation>
    </message>
    <message>
        <source>The monitor runs without a settings file.</source>
        <translation>Der Monitor läuft ohne Einstellungsdatei.</translation>
    </message>
    <message>
        <source>The monitor could not write its settings file.</source>
        <translation>Der Monitor konnte seine Einstellungsdatei nicht schreiben.</translation>
    </message>
    <message>
        <source>It is not paused.</source>
        <translation>Sie ist nicht pausiert.</translation>
    </message>
    <message>
        <source>The monitor could not do it (%1).</source>
        <translation>Der Wächter konnte das nicht tun (%1).</translation>
    </message>
    <message>
        <source>%1: the kernel&apos;s out-of-memory killer may still pick a protected app.</source>
        <translation>%1: Der OOM-Killer des Kernels kann trotzdem eine geschützte App wählen.</translation>
    </message>
    <message>
        <source>Something went wrong while talking to the monitor.</source>
        <translation>Bei der Verbindung zum Monitor ist etwas schiefgegangen.</translation>
    </message>
    <message>
        <source>Background apps were trimmed.</source>
        <translation>Hintergrund-Apps wurden verkleinert.</translation>
    </message>
    <message>
        <source>Background apps were trimmed partly.</source>
        <translation>Hintergrund-Apps wurden teilweise verkleinert.</translation>
    </message>
    <message>
        <source>Background apps had nothing to give back.</source>
        <translation>Hintergrund-Apps hatten nichts abzugeben.</translation>
    </message>
    <message>
        <source>Background apps could not be trimmed: this system does not use cgroup v2.</source>
        <translation>Hintergrund-Apps ließen sich nicht verkleinern: Dieses System verwendet kein cgroup v2.</translation>
    </message>
    <message>
        <source>Background apps could not be trimmed: the session does not let MemWarden manage them.</source>
        <translation>Hintergrund-Apps ließen sich nicht verkleinern: Die Sitzung lässt MemWarden sie nicht verwalten.</translation>
    </message>
    <message>
        <source>There are no background apps to trim.</source>
        <translation>Es gibt keine Hintergrund-Apps zum Verkleinern.</translation>
    </message>
    <message>
        <source>Background apps could not be trimmed: the memory controller is off.</source>
        <translation>Hintergrund-Apps ließen sich nicht verkleinern: Der Speicher-Controller ist aus.</translation>
    </message>
    <message>
        <source>Background apps could not be trimmed: something went wrong (the monitor&apos;s log says what).</source>
        <translation>Hintergrund-Apps konnten nicht verkleinert werden: Etwas ist schiefgegangen (das Protokoll des Monitors sagt, was).</translation>
    </message>
    <message>
        <source>Background apps could not be trimmed (%1).</source>
        <translation>Hintergrund-Apps ließen sich nicht verkleinern (%1).</translation>
    </message>
    <message>
        <source>Caches were dropped and memory compacted.</source>
        <translation>Caches wurden geleert und der Speicher verdichtet.</translation>
    </message>
    <message>
        <source>Caches were not dropped: something went wrong (the monitor&apos;s log says what).</source>
        <translation>Caches wurden nicht geleert: Etwas ist schiefgegangen (das Protokoll des Monitors sagt, was).</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper is not in use.</source>
        <translation>Caches wurden nicht geleert: Der privilegierte Hilfsdienst wird nicht verwendet.</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper is not installed.</source>
        <translation>Caches wurden nicht geleert: Der privilegierte Hilfsdienst ist nicht installiert.</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper does not work.</source>
        <translation>Caches wurden nicht geleert: Der privilegierte Hilfsdienst funktioniert nicht.</translation>
    </message>
    <message>
        <source>Caches were not dropped: there is no system bus to reach the privileged helper.</source>
        <translation>Caches wurden nicht geleert: Es gibt keinen Systembus, über den der privilegierte Hilfsdienst erreichbar ist.</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper did not answer.</source>
        <translation>Caches wurden nicht geleert: Der privilegierte Hilfsdienst hat nicht geantwortet.</translation>
    </message>
    <message>
        <source>Caches were not dropped: not allowed.</source>
        <translation>Caches wurden nicht geleert: nicht erlaubt.</translation>
    </message>
    <message>
        <source>%1 of idle memory was moved to swap.</source>
        <translation>%1 ungenutzter Speicher wurde in den Auslagerungsspeicher verschoben.</translation>
    </message>
    <message>
        <source>Caches were not dropped again: they were dropped less than a minute ago.</source>
        <translation>Caches wurden nicht erneut geleert: Sie wurden vor weniger als einer Minute geleert.</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper lacks a capability.</source>
        <translation>Caches wurden nicht geleert: Dem privilegierten Hilfsdienst fehlt eine Berechtigung (Capability).</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper is busy. Try again in a moment.</source>
        <translation>Caches wurden nicht geleert: Der privilegierte Hilfsdienst ist beschäftigt. Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper failed.</source>
        <translation>Caches wurden nicht geleert: Der privilegierte Hilfsdienst ist gescheitert.</translation>
    </message>
    <message>
        <source>Caches were not dropped (%1).</source>
        <translation>Caches wurden nicht geleert (%1).</translation>
    </message>
    <message>
        <source>A step MemWarden does not know finished with: %1.</source>
        <translation>Ein Schritt, den MemWarden nicht kennt, endete mit: %1.</translation>
    </message>
    <message>
        <source>an unknown app</source>
        <translation>eine unbekannte App</translation>
    </message>
    <message>
        <source>the game %1</source>
        <translation>das Spiel %1</translation>
    </message>
    <message>
        <source>the browser %1</source>
        <translation>der Browser %1</translation>
    </message>
    <message>
        <source>%1 GPU memory</source>
        <translation>%1 GPU-Speicher</translation>
    </message>
    <message>
        <source>%1 shared memory</source>
        <translation>%1 geteilter Speicher</translation>
    </message>
    <message>
        <source>%1 and %2</source>
        <translation>%1 und %2</translation>
    </message>
    <message>
        <source>%1, of which %2</source>
        <translation>%1, davon %2</translation>
    </message>
    <message>
        <source>%1 (and %2 on the graphics card)</source>
        <translation>%1 (und %2 auf der Grafikkarte)</translation>
    </message>
    <message>
        <source>The game %1 will be closed %2</source>
        <translation>Das Spiel %1 wird %2 geschlossen</translation>
    </message>
    <message>
        <source>The browser %1 will be closed %2</source>
        <translation>Der Browser %1 wird %2 geschlossen</translation>
    </message>
    <message>
        <source>%1 will be closed %2</source>
        <translation>%1 wird %2 geschlossen</translation>
    </message>
    <message>
        <source>The game %1 would be closed if memory runs out</source>
        <translation>Das Spiel %1 würde geschlossen, wenn der Speicher ausgeht</translation>
    </message>
    <message>
        <source>The browser %1 would be closed if memory runs out</source>
        <translation>Der Browser %1 würde geschlossen, wenn der Speicher ausgeht</translation>
    </message>
    <message>
        <source>%1 would be closed if memory runs out</source>
        <translation>%1 würde geschlossen, wenn der Speicher ausgeht</translation>
    </message>
    <message>
        <source>It is using %1. %2 %3</source>
        <translation>Sie belegt %1. %2 %3</translation>
    </message>
    <message>
        <source>A tab of %1 will be closed %2</source>
        <translation>Ein Tab von %1 wird %2 geschlossen</translation>
    </message>
    <message>
        <source>A tab of %1 would be closed if memory runs out</source>
        <translation>Ein Tab von %1 würde geschlossen, wenn der Speicher ausgeht</translation>
    </message>
    <message>
        <source>The tab is using %1; the rest of %2 stays open. %3 %4</source>
        <translation>Der Tab belegt %1; der Rest von %2 bleibt offen. %3 %4</translation>
    </message>
    <message>
        <source>Closed a tab of %1 to keep your computer responsive</source>
        <translation>Ein Tab von %1 wurde geschlossen, damit Ihr Computer bedienbar bleibt</translation>
    </message>
    <message>
        <source>The tab was using %1; the rest of %2 stays open.</source>
        <translation>Der Tab belegte %1; der Rest von %2 bleibt offen.</translation>
    </message>
    <message>
        <source>Closed %1</source>
        <translation>%1 geschlossen</translation>
    </message>
    <message>
        <source>Closed %1 to keep your computer responsive</source>
        <translation>%1 geschlossen, damit Ihr Computer bedienbar bleibt</translation>
    </message>
    <message>
        <source>It was using %1.</source>
        <translation>Sie belegte %1.</translation>
    </message>
    <message>
        <source>It was paused and memory kept running out.</source>
        <translation>Sie war pausiert, und der Speicher ging trotzdem weiter zur Neige.</translation>
    </message>
    <message>
        <source>Available memory rose by %1.</source>
        <translation>Der verfügbare Speicher stieg um %1.</translation>
    </message>
    <message>
        <source>Freed %1</source>
        <translation>%1 freigegeben</translation>
    </message>
    <message>
        <source>No memory could be freed without closing apps</source>
        <translation>Ohne Apps zu schließen, ließ sich kein Speicher freigeben</translation>
    </message>
    <message>
        <source>Available memory: %1 before, %2 after.</source>
        <translation>Verfügbarer Speicher: vorher %1, nachher %2.</translation>
    </message>
    <message>
        <source>The memory is held by files in shared-memory folders (such as /dev/shm) that no app has open. Closing apps will not free it: delete the files you do not need.</source>
        <translation>Der Speicher wird von Dateien in Shared-Memory-Ordnern (etwa /dev/shm) belegt, die keine App geöffnet hat. Apps zu schließen gibt ihn nicht frei: Löschen Sie die Dateien, die Sie nicht brauchen.</translation>
    </message>
    <message>
        <source>%1 is held by files that no app has open, so closing apps will not free it. Delete those you do not need: %2</source>
        <translation>%1 wird von Dateien belegt, die keine App geöffnet hat; Apps zu schließen gibt ihn nicht frei. Löschen Sie die, die Sie nicht brauchen: %2</translation>
    </message>
    <message>
        <source>The game %1 was paused</source>
        <translation>Das Spiel %1 wurde pausiert</translation>
    </message>
    <message>
        <source>The browser %1 was paused</source>
        <translation>Der Browser %1 wurde pausiert</translation>
    </message>
    <message>
        <source>%1 was paused</source>
        <translation>%1 wurde pausiert</translation>
    </message>
    <message>
        <source>It was using %1 and growing by %2.</source>
        <translation>Sie belegte %1 und wuchs um %2.</translation>
    </message>
    <message>
        <source>MemWarden moved its memory to swap: %1 of RAM is free for your other apps.</source>
        <translation>MemWarden hat ihren Speicher in den Auslagerungsspeicher verschoben: %1 RAM ist für Ihre anderen Apps frei.</translation>
    </message>
    <message>
        <source>MemWarden moved part of its memory to swap: %1 of RAM is free for your other apps.</source>
        <translation>MemWarden hat einen Teil ihres Speichers in den Auslagerungsspeicher verschoben: %1 RAM ist für Ihre anderen Apps frei.</translation>
    </message>
    <message>
        <source>MemWarden moved its memory to swap, but no RAM came free.</source>
        <translation>MemWarden hat ihren Speicher in den Auslagerungsspeicher verschoben, aber es wurde kein RAM frei.</translation>
    </message>
    <message>
        <source>MemWarden moved part of its memory to swap, but no RAM came free.</source>
        <translation>MemWarden hat einen Teil ihres Speichers in den Auslagerungsspeicher verschoben, aber es wurde kein RAM frei.</translation>
    </message>
    <message>
        <source>It had no memory that could be moved out of RAM.</source>
        <translation>Sie hatte keinen Speicher, der sich aus dem RAM auslagern ließ.</translation>
    </message>
    <message>
        <source>Its memory could not be moved out of RAM: there is no swap space.</source>
        <translation>Ihr Speicher ließ sich nicht aus dem RAM auslagern: Es gibt keinen Auslagerungsspeicher.</translation>
    </message>
    <message>
        <source>Its memory could not be moved out of RAM: it does not run in a cgroup of its own.</source>
        <translation>Ihr Speicher ließ sich nicht aus dem RAM auslagern: Sie läuft nicht in einer eigenen cgroup.</translation>
    </message>
    <message>
        <source>Its memory could not be moved out of RAM: this system does not use cgroup v2.</source>
        <translation>Ihr Speicher ließ sich nicht aus dem RAM auslagern: Dieses System verwendet kein cgroup v2.</translation>
    </message>
    <message>
        <source>Its memory could not be moved out of RAM: the memory controller is off.</source>
        <translation>Ihr Speicher ließ sich nicht aus dem RAM auslagern: Der Speicher-Controller ist aus.</translation>
    </message>
    <message>
        <source>Its memory could not be moved out of RAM: the session does not let MemWarden manage it.</source>
        <translation>Ihr Speicher ließ sich nicht aus dem RAM auslagern: Die Sitzung lässt MemWarden ihn nicht verwalten.</translation>
    </message>
    <message>
        <source>Its memory could not be moved out of RAM: something went wrong (the monitor&apos;s log says what).</source>
        <translation>Ihr Speicher ließ sich nicht aus dem RAM auslagern: Etwas ist schiefgegangen (das Protokoll des Monitors sagt, was).</translation>
    </message>
    <message>
        <source>Moving its memory out of RAM ended with: %1.</source>
        <translation>Das Auslagern ihres Speichers endete mit: %1.</translation>
    </message>
    <message>
        <source>Its windows do not respond while it is paused. If memory runs out all the same, it will be closed.</source>
        <translation>Ihre Fenster reagieren nicht, solange sie pausiert ist. Geht der Speicher trotzdem zur Neige, wird sie geschlossen.</translation>
    </message>
    <message>
        <source>Resume it, close it, or protect it and resume it.</source>
        <translation>Setzen Sie sie fort, schließen Sie sie, oder schützen Sie sie und setzen Sie sie fort.</translation>
    </message>
    <message>
        <source>%1 is paused: it was using %2 and growing by %3.</source>
        <translation>%1 ist pausiert: Sie belegte %2 und wuchs um %3.</translation>
    </message>
    <message>
        <source>%1 is paused: it was using %2.</source>
        <translation>%1 ist pausiert: Sie belegte %2.</translation>
    </message>
    <message>
        <source>%1 is paused and waits for your choice</source>
        <translation>%1 ist pausiert und wartet auf Ihre Wahl</translation>
    </message>
    <message>
        <source>Several apps are paused and wait for your choice</source>
        <translation>Mehrere Apps sind pausiert und warten auf Ihre Wahl</translation>
    </message>
    <message>
        <source>You resumed it.</source>
        <translation>Sie haben sie fortgesetzt.</translation>
    </message>
    <message>
        <source>It is being closed: it runs again first so that it can exit cleanly.</source>
        <translation>Sie wird geschlossen: Sie läuft zuerst wieder an, damit sie sauber beenden kann.</translation>
    </message>
    <message>
        <source>It was closed because memory kept running out.</source>
        <translation>Sie wurde geschlossen, weil der Speicher weiter zur Neige ging.</translation>
    </message>
    <message>
        <source>MemWarden&apos;s tray is not running, so it runs again: no app stays paused where you cannot see it.</source>
        <translation>Das Symbol von MemWarden im Infobereich läuft nicht, also läuft sie wieder: Keine App bleibt pausiert, ohne dass Sie es sehen.</translation>
    </message>
    <message>
        <source>The monitor stopped, so it runs again.</source>
        <translation>Der Monitor wurde beendet, also läuft sie wieder.</translation>
    </message>
    <message>
        <source>It runs again (%1).</source>
        <translation>Sie läuft wieder (%1).</translation>
    </message>
    <message>
        <source>%1 is no longer paused</source>
        <translation>%1 ist nicht mehr pausiert</translation>
    </message>
</context>
<context>
    <name>OrphansPage</name>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>Besitzer</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Ort</translation>
    </message>
    <message>
        <source>Delete file…</source>
        <translation>Datei löschen …</translation>
    </message>
    <message>
        <source>Copy command</source>
        <translation>Befehl kopieren</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Ordner öffnen</translation>
    </message>
    <message>
        <source>Delete file</source>
        <translation>Datei löschen</translation>
    </message>
    <message>
        <source>Delete %1? Its %2 of RAM will be free again. This cannot be undone.</source>
        <translation>%1 löschen? Die %2 RAM werden wieder frei. Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <source>Could not delete %1: %2</source>
        <translation>%1 konnte nicht gelöscht werden: %2</translation>
    </message>
    <message>
        <source>Deleted %1: %2 of RAM are free again.</source>
        <translation>%1 gelöscht: %2 RAM sind wieder frei.</translation>
    </message>
    <message>
        <source>Copied: %1</source>
        <translation>Kopiert: %1</translation>
    </message>
</context>
<context>
    <name>OrphansPresenter</name>
    <message>
        <source>you</source>
        <translation>Sie</translation>
    </message>
    <message>
        <source>user %1</source>
        <translation>Benutzer %1</translation>
    </message>
    <message>
        <source>A shared memory segment no program is attached to. If the program that made it has ended for good, remove it with the command below.</source>
        <translation>Ein Shared-Memory-Segment, an das kein Programm angebunden ist. Wenn das Programm, das es angelegt hat, endgültig beendet ist, entfernen Sie es mit dem Befehl unten.</translation>
    </message>
    <message>
        <source>A file kept in RAM that no program has open. If you do not need it, delete it: its memory comes back at once. Closing apps cannot free it.</source>
        <translation>Eine Datei im RAM, die kein Programm geöffnet hat. Wenn Sie sie nicht brauchen, löschen Sie sie: Ihr Speicher wird sofort frei. Apps zu schließen kann ihn nicht freigeben.</translation>
    </message>
    <message>
        <source>It belongs to another user: ask them or an administrator.</source>
        <translation>Sie gehört einem anderen Benutzer: Fragen Sie ihn oder eine Administratorin.</translation>
    </message>
    <message>
        <source>No memory is held by leftover files. Nothing to do.</source>
        <translation>Keine verwaisten Dateien belegen Speicher. Nichts zu tun.</translation>
    </message>
    <message>
        <source>%1 of RAM is held by leftover files that no program has open. Closing apps will not free it; deleting the files will.</source>
        <translation>%1 RAM sind von verwaisten Dateien belegt, die kein Programm geöffnet hat. Apps zu schließen gibt ihn nicht frei, die Dateien zu löschen schon.</translation>
    </message>
</context>
<context>
    <name>PausedAppsTray</name>
    <message>
        <source>Show apps</source>
        <extracomment>How many apps that stopped being paused are remembered, to name them when AppResumed says why. The action keys of a paused app&apos;s notification (``default``: a click on it opens the prompt).</extracomment>
        <translation>Apps anzeigen</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Protect and resume</source>
        <translation>Schützen und fortsetzen</translation>
    </message>
    <message>
        <source>Could not resume %1</source>
        <translation>%1 konnte nicht fortgesetzt werden</translation>
    </message>
    <message>
        <source>Could not protect and resume %1</source>
        <translation>%1 konnte nicht geschützt und fortgesetzt werden</translation>
    </message>
</context>
<context>
    <name>Prompt</name>
    <message>
        <source>The game %1 would be closed first. %2</source>
        <translation>Das Spiel %1 würde zuerst geschlossen. %2</translation>
    </message>
    <message>
        <source>The browser %1 would be closed first. %2</source>
        <translation>Der Browser %1 würde zuerst geschlossen. %2</translation>
    </message>
    <message>
        <source>%1 would be closed first. %2</source>
        <translation>%1 würde zuerst geschlossen. %2</translation>
    </message>
    <message>
        <source>A tab of %1 would be closed first (it uses %3); the rest of it stays open. %2</source>
        <translation>Ein Tab von %1 würde zuerst geschlossen (er belegt %3); der Rest bleibt offen. %2</translation>
    </message>
    <message>
        <source>Available memory: %1. Close the apps you do not need to keep your computer responsive.</source>
        <translation>Verfügbarer Speicher: %1. Schließen Sie Apps, die Sie nicht brauchen, damit Ihr Computer bedienbar bleibt.</translation>
    </message>
    <message>
        <source>MemWarden will close an app %1.</source>
        <translation>MemWarden schließt %1 eine App.</translation>
    </message>
    <message>
        <source>Your system is running out of application memory</source>
        <translation>Ihrem System geht der Speicher für Anwendungen aus</translation>
    </message>
</context>
<context>
    <name>PromptWindow</name>
    <message>
        <source>Out of memory</source>
        <translation>Speicher erschöpft</translation>
    </message>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>Of which</source>
        <translation>Davon</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Close selected</source>
        <translation>Auswahl schließen</translation>
    </message>
    <message>
        <source>Protect</source>
        <translation>Schützen</translation>
    </message>
    <message>
        <source>Free memory now</source>
        <translation>Jetzt Speicher freigeben</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <source>%1 (paused)</source>
        <translation>%1 (pausiert)</translation>
    </message>
    <message>
        <source>%1 (would be closed)</source>
        <translation>%1 (würde geschlossen)</translation>
    </message>
    <message>
        <source>%1 (protected)</source>
        <translation>%1 (geschützt)</translation>
    </message>
    <message>
        <source>%1 (sacrifice first)</source>
        <translation>%1 (zuerst opfern)</translation>
    </message>
    <message>
        <source>Protect and resume</source>
        <translation>Schützen und fortsetzen</translation>
    </message>
    <message>
        <source>Remove protection</source>
        <translation>Schutz aufheben</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>When memory runs low</source>
        <extracomment>The monitor&apos;s saved settings the page&apos;s boxes started from (what they do not edit, and what Apply compares with); None when there are none to change.</extracomment>
        <translation>Wenn der Speicher knapp wird</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>% of RAM and swap</source>
        <translation> % von RAM und Swap</translation>
    </message>
    <message>
        <source>% of the time</source>
        <translation> % der Zeit</translation>
    </message>
    <message>
        <source>Warn me when free memory falls below</source>
        <translation>Warnen, wenn der freie Speicher fällt unter</translation>
    </message>
    <message>
        <source>Ask an app to close below</source>
        <translation>Eine App zum Schließen auffordern unter</translation>
    </message>
    <message>
        <source>Close it at once below</source>
        <translation>Sie sofort schließen unter</translation>
    </message>
    <message>
        <source>Time it gets to save its work</source>
        <translation>Zeit zum Sichern ihrer Arbeit</translation>
    </message>
    <message>
        <source>Pause an app that keeps eating memory, and ask me before closing it</source>
        <translation>Eine App, die weiter Speicher frisst, pausieren und mich fragen, bevor sie geschlossen wird</translation>
    </message>
    <message>
        <source>At the close limit, an app that is still growing is frozen, not closed, until you choose what to do.</source>
        <translation>An der Schließgrenze wird eine App, die noch wächst, angehalten statt geschlossen, bis Sie entscheiden, was geschehen soll.</translation>
    </message>
    <message>
        <source>Warn early if memory would run out within</source>
        <translation>Früh warnen, wenn der Speicher ausginge in</translation>
    </message>
    <message>
        <source>Warn when programs wait for memory more than</source>
        <translation>Warnen, wenn Programme auf Speicher warten, mehr als</translation>
    </message>
    <message>
        <source>Close an app when everything is stalled more than</source>
        <translation>Eine App schließen, wenn alles stockt, mehr als</translation>
    </message>
    <message>
        <source>… for at least</source>
        <translation>… für mindestens</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Anwenden</translation>
    </message>
    <message>
        <source>Restore defaults</source>
        <translation>Standardwerte</translation>
    </message>
    <message>
        <source>Protection and the kernel</source>
        <translation>Schutz und der Kernel</translation>
    </message>
    <message>
        <source>Your rules</source>
        <translation>Ihre Regeln</translation>
    </message>
    <message>
        <source>Make normal</source>
        <translation>Auf Normal setzen</translation>
    </message>
    <message>
        <source>Settings file: %1</source>
        <translation>Einstellungsdatei: %1</translation>
    </message>
    <message>
        <source>Your settings file could not be used, so the defaults are in force: %1</source>
        <translation>Ihre Einstellungsdatei war nicht verwendbar, daher gelten die Standardwerte: %1</translation>
    </message>
    <message>
        <source>No rules yet: protect or sacrifice apps in the Apps tab.</source>
        <translation>Noch keine Regeln: Schützen oder opfern Sie Apps im Reiter „Apps“.</translation>
    </message>
</context>
<context>
    <name>SettingsPresenter</name>
    <message>
        <source>The monitor is not running, so the settings cannot be changed now. MemWarden starts it again by itself.</source>
        <extracomment>The settings the page edits, in its order, each with its spin box&apos;s step. The switches the page edits, each a check box. The reason codes of SetSettings, and of the checks the page makes first.</extracomment>
        <translation>Der Monitor läuft nicht, daher können die Einstellungen gerade nicht geändert werden. MemWarden startet ihn von selbst neu.</translation>
    </message>
    <message>
        <source>The monitor was started without a settings file (--no-config): its limits are set on its command line and cannot be changed here.</source>
        <translation>Der Monitor wurde ohne Einstellungsdatei gestartet (--no-config): Seine Grenzen stehen in seiner Befehlszeile und können hier nicht geändert werden.</translation>
    </message>
    <message>
        <source>This monitor is older than the window and cannot change its settings: restart it.</source>
        <translation>Dieser Monitor ist älter als das Fenster und kann seine Einstellungen nicht ändern: Starten Sie ihn neu.</translation>
    </message>
    <message>
        <source>The monitor&apos;s command line sets %1; while it runs, those win over what is saved here.</source>
        <translation>Die Befehlszeile des Monitors setzt %1; solange er läuft, gilt das vor dem, was hier gespeichert ist.</translation>
    </message>
    <message>
        <source>The limits must be in order: warn first, then close, then close at once (warn ≥ close ≥ at once).</source>
        <translation>Die Grenzen müssen in dieser Reihenfolge stehen: erst warnen, dann schließen, dann sofort schließen (warnen ≥ schließen ≥ sofort).</translation>
    </message>
    <message>
        <source>A value is out of range.</source>
        <translation>Ein Wert liegt außerhalb des erlaubten Bereichs.</translation>
    </message>
    <message>
        <source>The monitor does not know one of these settings (%1): it may be older than the window; restart it.</source>
        <translation>Der Monitor kennt eine dieser Einstellungen nicht (%1): Er ist vielleicht älter als das Fenster; starten Sie ihn neu.</translation>
    </message>
    <message>
        <source>A setting was both changed and reset (%1).</source>
        <translation>Eine Einstellung wurde zugleich geändert und zurückgesetzt (%1).</translation>
    </message>
    <message>
        <source>A value would always hold, so MemWarden would close one app after another.</source>
        <translation>Ein Wert wäre immer erfüllt, sodass MemWarden eine App nach der anderen schließen würde.</translation>
    </message>
    <message>
        <source>A limit in MiB is at or above this computer&apos;s memory and swap.</source>
        <translation>Eine Grenze in MiB liegt bei oder über dem Arbeits- und Auslagerungsspeicher dieses Computers.</translation>
    </message>
    <message>
        <source>The monitor runs without a settings file (--no-config): nothing can be saved.</source>
        <translation>Der Monitor läuft ohne Einstellungsdatei (--no-config): Es kann nichts gespeichert werden.</translation>
    </message>
    <message>
        <source>The monitor could not write its settings file; nothing was changed.</source>
        <translation>Der Monitor konnte seine Einstellungsdatei nicht schreiben; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>The monitor refused the settings (%1).</source>
        <translation>Der Monitor hat die Einstellungen abgelehnt (%1).</translation>
    </message>
    <message>
        <source>You get a warning when less than %1 of memory is free.</source>
        <translation>Sie werden gewarnt, wenn weniger als %1 Speicher frei ist.</translation>
    </message>
    <message>
        <source>Below %1, MemWarden asks one app to close (one you chose to sacrifice, or else the one that really holds the memory) and gives it %2 to save its work.</source>
        <translation>Unter %1 fordert MemWarden eine App zum Schließen auf (eine, die Sie zum Opfern bestimmt haben, sonst die, die den Speicher wirklich belegt) und gibt ihr %2, um ihre Arbeit zu sichern.</translation>
    </message>
    <message>
        <source>If that app is still growing, MemWarden pauses it instead and asks you whether to resume it, close it, or protect it and resume it.</source>
        <translation>Wächst diese App noch, pausiert MemWarden sie stattdessen und fragt Sie, ob sie fortgesetzt, geschlossen oder geschützt und fortgesetzt werden soll.</translation>
    </message>
    <message>
        <source>It does so even when that app is still growing: pausing it to ask you first is off.</source>
        <translation>Das geschieht auch, wenn diese App noch wächst: Das Pausieren, um Sie zuerst zu fragen, ist aus.</translation>
    </message>
    <message>
        <source>Below %1, it closes that app at once, before the system freezes.</source>
        <translation>Unter %1 schließt es diese App sofort, bevor das System einfriert.</translation>
    </message>
    <message>
        <source>You are also warned when, at the current rate, memory would run out within %1, even if there is still plenty free.</source>
        <translation>Sie werden auch gewarnt, wenn der Speicher beim jetzigen Tempo in %1 ausginge, selbst wenn noch viel frei ist.</translation>
    </message>
    <message>
        <source>And when programs spend more than %1 of their time waiting for memory; if everything is stalled more than %2 of the time for %3, an app is closed.</source>
        <translation>Ebenso, wenn Programme mehr als %1 ihrer Zeit auf Speicher warten; stockt alles länger als %3 zu mehr als %2 der Zeit, wird eine App geschlossen.</translation>
    </message>
    <message>
        <source>Your settings file sets some limits in MiB; those take the place of the percentages. Edit the file to change them.</source>
        <translation>Ihre Einstellungsdatei legt einige Grenzen in MiB fest; diese ersetzen die Prozentwerte. Bearbeiten Sie die Datei, um sie zu ändern.</translation>
    </message>
    <message>
        <source>In force now: warn below %1, close below %2, at once below %3.</source>
        <translation>Jetzt gültig: warnen unter %1, schließen unter %2, sofort unter %3.</translation>
    </message>
    <message>
        <source>The settings were not changed: %1</source>
        <translation>Die Einstellungen wurden nicht geändert: %1</translation>
    </message>
    <message>
        <source>Saved and in force.</source>
        <translation>Gespeichert und gültig.</translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message>
        <source>Looking at your apps…</source>
        <translation>Ihre Apps werden angesehen …</translation>
    </message>
    <message>
        <source>No apps to list</source>
        <translation>Keine Apps aufzulisten</translation>
    </message>
    <message>
        <source>The monitor is not running</source>
        <translation>Der Wächter läuft nicht</translation>
    </message>
    <message>
        <source>Start guarding</source>
        <translation>Überwachung starten</translation>
    </message>
    <message>
        <source>Free memory now</source>
        <translation>Jetzt Speicher freigeben</translation>
    </message>
    <message>
        <source>Open MemWarden</source>
        <translation>MemWarden öffnen</translation>
    </message>
    <message>
        <source>Resume guarding</source>
        <translation>Überwachung fortsetzen</translation>
    </message>
    <message>
        <source>Pause guarding</source>
        <translation>Überwachung pausieren</translation>
    </message>
    <message>
        <source>For 1 hour</source>
        <translation>Für 1 Stunde</translation>
    </message>
    <message>
        <source>Until restart</source>
        <translation>Bis zum Neustart</translation>
    </message>
    <message>
        <source>Start at login</source>
        <translation>Bei der Anmeldung starten</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Quit and stop guarding</source>
        <translation>Beenden und Überwachung stoppen</translation>
    </message>
    <message>
        <source>Protect</source>
        <translation>Schützen</translation>
    </message>
    <message>
        <source>Sacrifice first</source>
        <translation>Zuerst opfern</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Protect and resume</source>
        <translation>Schützen und fortsetzen</translation>
    </message>
    <message>
        <source>Show apps</source>
        <translation>Apps anzeigen</translation>
    </message>
    <message>
        <source>Protect %1</source>
        <translation>%1 schützen</translation>
    </message>
    <message>
        <source>Close %1</source>
        <translation>%1 schließen</translation>
    </message>
    <message>
        <source>Free memory</source>
        <translation>Speicher freigeben</translation>
    </message>
    <message>
        <source>Could not protect %1</source>
        <translation>%1 konnte nicht geschützt werden</translation>
    </message>
    <message>
        <source>Could not mark %1 to sacrifice first</source>
        <translation>%1 konnte nicht als zuerst zu opfern markiert werden</translation>
    </message>
    <message>
        <source>Could not change the rule of %1</source>
        <translation>Die Regel für %1 konnte nicht geändert werden</translation>
    </message>
    <message>
        <source>Could not close %1</source>
        <translation>%1 konnte nicht geschlossen werden</translation>
    </message>
    <message>
        <source>Could not free memory</source>
        <translation>Speicher konnte nicht freigegeben werden</translation>
    </message>
    <message>
        <source>Could not pause</source>
        <translation>Pausieren nicht möglich</translation>
    </message>
    <message>
        <source>Could not resume</source>
        <translation>Fortsetzen nicht möglich</translation>
    </message>
    <message>
        <source>Could not change Start at login</source>
        <translation>„Bei der Anmeldung starten“ konnte nicht geändert werden</translation>
    </message>
</context>
<context>
    <name>TrayMenu</name>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1 (a tab of it closed next)</source>
        <translation>%1 (ein Tab davon wird als Nächstes geschlossen)</translation>
    </message>
    <message>
        <source>%1 (closed next)</source>
        <translation>%1 (als Nächstes geschlossen)</translation>
    </message>
    <message>
        <source>%1 — %2 (paused)</source>
        <translation>%1 — %2 (pausiert)</translation>
    </message>
    <message>
        <source>MemWarden: %1</source>
        <translation>MemWarden: %1</translation>
    </message>
    <message>
        <source>The monitor keeps stopping; its log: %1</source>
        <translation>Der Wächter bricht immer wieder ab; sein Protokoll: %1</translation>
    </message>
    <message>
        <source>Available memory: %1</source>
        <translation>Verfügbarer Speicher: %1</translation>
    </message>
    <message>
        <source>Memory runs out %1</source>
        <translation>Der Speicher geht %1 aus</translation>
    </message>
    <message>
        <source>Memory pressure: %1 (stalled: %2)</source>
        <translation>Speicherdruck: %1 (blockiert: %2)</translation>
    </message>
    <message>
        <source>Would be closed next: a tab of %1 (%2)</source>
        <translation>Würde als Nächstes geschlossen: ein Tab von %1 (%2)</translation>
    </message>
    <message>
        <source>Would be closed next: %1</source>
        <translation>Würde als Nächstes geschlossen: %1</translation>
    </message>
    <message>
        <source>Guarding is paused: no app will be closed automatically.</source>
        <translation>Die Überwachung ist pausiert: Keine App wird automatisch geschlossen.</translation>
    </message>
    <message>
        <source>Settings problem: %1</source>
        <translation>Problem mit den Einstellungen: %1</translation>
    </message>
</context>
<context>
    <name>WindowController</name>
    <message>
        <source>Could not change %1: %2</source>
        <translation>%1 konnte nicht geändert werden: %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <comment>app name: what its rule does</comment>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Nothing guards memory until it runs again. Start it with: memwarden monitor</source>
        <translation>Niemand überwacht den Speicher, bis er wieder läuft. Starten Sie ihn mit: memwarden monitor</translation>
    </message>
    <message>
        <source>%1 of %2 free (RAM and swap)</source>
        <translation>%1 von %2 frei (RAM und Swap)</translation>
    </message>
    <message>
        <source>%1 free</source>
        <translation>%1 frei</translation>
    </message>
    <message>
        <source>Not running out at this rate</source>
        <translation>Geht bei diesem Tempo nicht aus</translation>
    </message>
    <message>
        <source>Runs out %1</source>
        <translation>Geht %1 aus</translation>
    </message>
    <message>
        <source>Waiting for memory: %1 of the time (everything stalled: %2)</source>
        <translation>Warten auf Speicher: %1 der Zeit (alles blockiert: %2)</translation>
    </message>
    <message>
        <source>First to close if memory runs out: %1</source>
        <translation>Zuerst geschlossen, wenn der Speicher ausgeht: %1</translation>
    </message>
    <message>
        <source>No app would be closed right now.</source>
        <translation>Gerade würde keine App geschlossen.</translation>
    </message>
    <message>
        <source>Paused: MemWarden warns but closes nothing.</source>
        <translation>Pausiert: MemWarden warnt, schließt aber nichts.</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>Browser</source>
        <translation>Browser</translation>
    </message>
    <message>
        <source>Game</source>
        <translation>Spiel</translation>
    </message>
    <message>
        <source>Desktop</source>
        <translation>Desktop</translation>
    </message>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>Other (%1)</source>
        <translation>Andere (%1)</translation>
    </message>
    <message>
        <source>Protect</source>
        <translation>Schützen</translation>
    </message>
    <message>
        <source>Sacrifice first</source>
        <translation>Zuerst opfern</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>Normal</translation>
    </message>
    <message>
        <source>Unknown rule (%1)</source>
        <translation>Unbekannte Regel (%1)</translation>
    </message>
    <message>
        <source>MemWarden never closes this app; when memory runs out it closes another one.</source>
        <translation>MemWarden schließt diese App nie; wenn der Speicher ausgeht, schließt es eine andere.</translation>
    </message>
    <message>
        <source>When memory runs out, this app is closed before any other.</source>
        <translation>Wenn der Speicher ausgeht, wird diese App vor allen anderen geschlossen.</translation>
    </message>
    <message>
        <source>Closed only if it is the app that really holds the memory.</source>
        <translation>Nur geschlossen, wenn sie die App ist, die den Speicher wirklich belegt.</translation>
    </message>
    <message>
        <source>memory file (memfd)</source>
        <translation>Speicherdatei (memfd)</translation>
    </message>
    <message>
        <source>file in RAM (tmpfs)</source>
        <translation>Datei im RAM (tmpfs)</translation>
    </message>
    <message>
        <source>shared memory segment (System V)</source>
        <translation>Shared-Memory-Segment (System V)</translation>
    </message>
    <message>
        <source>graphics or camera buffer (DMA-BUF)</source>
        <translation>Grafik- oder Kamerapuffer (DMA-BUF)</translation>
    </message>
    <message>
        <source>GPU buffers</source>
        <translation>GPU-Puffer</translation>
    </message>
    <message>
        <source>other (%1)</source>
        <translation>anderes (%1)</translation>
    </message>
    <message>
        <source>Protection reaches the kernel</source>
        <translation>Der Schutz erreicht den Kernel</translation>
    </message>
    <message>
        <source>Protection not tried yet</source>
        <translation>Schutz noch nicht versucht</translation>
    </message>
    <message>
        <source>The monitor runs without the helper</source>
        <translation>Der Monitor läuft ohne den Hilfsdienst</translation>
    </message>
    <message>
        <source>The helper is busy: protection will be tried again</source>
        <translation>Der Hilfsdienst ist beschäftigt: Der Schutz wird erneut versucht</translation>
    </message>
    <message>
        <source>The helper is not installed</source>
        <translation>Der Hilfsdienst ist nicht installiert</translation>
    </message>
    <message>
        <source>The helper is installed but does not work</source>
        <translation>Der Hilfsdienst ist installiert, funktioniert aber nicht</translation>
    </message>
    <message>
        <source>There is no system bus to reach the helper</source>
        <translation>Es gibt keinen Systembus, um den Hilfsdienst zu erreichen</translation>
    </message>
    <message>
        <source>The helper did not answer</source>
        <translation>Der Hilfsdienst hat nicht geantwortet</translation>
    </message>
    <message>
        <source>The helper is not allowed to protect your apps</source>
        <translation>Der Hilfsdienst darf Ihre Apps nicht schützen</translation>
    </message>
    <message>
        <source>The helper lacks a capability</source>
        <translation>Dem Hilfsdienst fehlt eine Berechtigung</translation>
    </message>
    <message>
        <source>An app&apos;s process exited before it was protected</source>
        <translation>Ein Prozess einer App wurde beendet, bevor er geschützt wurde</translation>
    </message>
    <message>
        <source>A protected app runs a program of another user</source>
        <translation>Eine geschützte App führt ein Programm eines anderen Benutzers aus</translation>
    </message>
    <message>
        <source>The helper failed</source>
        <translation>Der Hilfsdienst ist gescheitert</translation>
    </message>
    <message>
        <source>Protected apps are shielded from MemWarden and also from the kernel&apos;s own out-of-memory killer: the helper lowered their score.</source>
        <translation>Geschützte Apps sind vor MemWarden und auch vor dem OOM-Killer des Kernels sicher: Der Hilfsdienst hat ihre Bewertung gesenkt.</translation>
    </message>
    <message>
        <source>No app has been protected since the monitor started, so the helper has not been asked yet. MemWarden itself never closes a protected app.</source>
        <translation>Seit dem Start des Wächters wurde keine App geschützt, daher wurde der Hilfsdienst noch nicht gefragt. MemWarden selbst schließt nie eine geschützte App.</translation>
    </message>
    <message>
        <source>The monitor was started without the privileged helper (--no-helper), so the kernel does not know about protection. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>Der Monitor wurde ohne den privilegierten Hilfsdienst gestartet (--no-helper), daher weiß der Kernel nichts vom Schutz. MemWarden schließt nie eine geschützte App, aber der OOM-Killer des Kernels kann sie trotzdem wählen.</translation>
    </message>
    <message>
        <source>The helper had too many requests at once and did nothing this time; the monitor asks it again on its next pass. MemWarden itself never closes a protected app.</source>
        <translation>Der Hilfsdienst hatte zu viele Anfragen auf einmal und hat diesmal nichts getan; der Monitor fragt ihn beim nächsten Durchlauf erneut. MemWarden selbst schließt nie eine geschützte App.</translation>
    </message>
    <message>
        <source>MemWarden never closes a protected app, but the kernel does not know about protection: if memory runs out completely before MemWarden acts, the kernel&apos;s out-of-memory killer may still pick it. Install the memwarden-helper package to tell the kernel too.</source>
        <translation>MemWarden schließt nie eine geschützte App, aber der Kernel weiß nichts vom Schutz: Geht der Speicher ganz aus, bevor MemWarden handelt, kann der OOM-Killer des Kernels sie trotzdem wählen. Installieren Sie das Paket memwarden-helper, damit auch der Kernel Bescheid weiß.</translation>
    </message>
    <message>
        <source>The helper failed to start, or it does not match this version of MemWarden. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it. Install the memwarden-helper package of the same version as MemWarden; the system log (journalctl -u memwarden-helper) says why it failed.</source>
        <translation>Der Hilfsdienst ließ sich nicht starten, oder er passt nicht zu dieser Version von MemWarden. MemWarden schließt nie eine geschützte App, aber der OOM-Killer des Kernels kann sie trotzdem wählen. Installieren Sie das Paket memwarden-helper in derselben Version wie MemWarden; das Systemprotokoll (journalctl -u memwarden-helper) sagt, warum er scheiterte.</translation>
    </message>
    <message>
        <source>MemWarden reaches its helper over the system bus (D-Bus), and this session cannot connect to it, as in some containers and sandboxes. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>MemWarden erreicht seinen Hilfsdienst über den Systembus (D-Bus), und diese Sitzung kann sich nicht mit ihm verbinden, wie in manchen Containern und Sandboxen. MemWarden schließt nie eine geschützte App, aber der OOM-Killer des Kernels kann sie trotzdem wählen.</translation>
    </message>
    <message>
        <source>The helper did not answer in time, or the connection to it broke: it may have been stopping, or stalled for lack of memory. It is asked again when a protected app starts a new process or a rule changes; until then MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>Der Hilfsdienst hat nicht rechtzeitig geantwortet, oder die Verbindung zu ihm brach ab: Vielleicht wurde er gerade beendet, oder er stockte aus Speichermangel. Er wird erneut gefragt, wenn eine geschützte App einen neuen Prozess startet oder sich eine Regel ändert; bis dahin schließt MemWarden nie eine geschützte App, aber der OOM-Killer des Kernels kann sie trotzdem wählen.</translation>
    </message>
    <message>
        <source>The system&apos;s policy (polkit, or the system bus&apos;s own rules) did not allow the helper to act for you, or could not be asked. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>Die Richtlinie des Systems (polkit oder die eigenen Regeln des Systembusses) hat dem Hilfsdienst nicht erlaubt, für Sie zu handeln, oder konnte nicht gefragt werden. MemWarden schließt nie eine geschützte App, aber der OOM-Killer des Kernels kann sie trotzdem wählen.</translation>
    </message>
    <message>
        <source>The helper runs without a right the kernel asks for (CAP_SYS_RESOURCE to lower scores), for example in a container. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>Dem Hilfsdienst fehlt ein Recht, das der Kernel verlangt (CAP_SYS_RESOURCE, um Werte zu senken), zum Beispiel in einem Container. MemWarden schließt nie eine geschützte App, aber der OOM-Killer des Kernels kann sie trotzdem wählen.</translation>
    </message>
    <message>
        <source>The helper was asked about a process that had exited in the meantime: nothing was lost. The app&apos;s new processes are protected as they start. MemWarden itself never closes a protected app.</source>
        <translation>Der Hilfsdienst wurde zu einem Prozess gefragt, der inzwischen beendet war: Es ging nichts verloren. Die neuen Prozesse der App werden beim Start geschützt. MemWarden selbst schließt nie eine geschützte App.</translation>
    </message>
    <message>
        <source>The helper changes only your own processes, and a protected app runs a program as another user (through sudo or a setuid program), so the kernel was not told about that program. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick that program.</source>
        <translation>Der Hilfsdienst ändert nur Ihre eigenen Prozesse, und eine geschützte App führt ein Programm als anderer Benutzer aus (über sudo oder ein setuid-Programm), daher wurde der Kernel über dieses Programm nicht informiert. MemWarden schließt nie eine geschützte App, aber der OOM-Killer des Kernels kann dieses Programm trotzdem wählen.</translation>
    </message>
    <message>
        <source>Something unexpected went wrong between the monitor and the helper; the system log (journalctl) has the details. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>Zwischen Monitor und Hilfsdienst ist etwas Unerwartetes schiefgegangen; das Systemprotokoll (journalctl) hat die Einzelheiten. MemWarden schließt nie eine geschützte App, aber der OOM-Killer des Kernels kann sie trotzdem wählen.</translation>
    </message>
    <message>
        <source>The helper reported a problem (%1)</source>
        <translation>Der Hilfsdienst meldet ein Problem (%1)</translation>
    </message>
    <message>
        <source>MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>MemWarden schließt nie eine geschützte App, aber der OOM-Killer des Kernels kann sie trotzdem wählen.</translation>
    </message>
</context>
</TS>
