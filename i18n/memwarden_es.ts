<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>AppPresenter</name>
    <message>
        <source>In RAM</source>
        <translation>En RAM</translation>
    </message>
    <message>
        <source>Swap</source>
        <translation>Swap</translation>
    </message>
    <message>
        <source>Shared files</source>
        <translation>Archivos compartidos</translation>
    </message>
    <message>
        <source>DMA-BUF</source>
        <translation>DMA-BUF</translation>
    </message>
    <message>
        <source>GPU in RAM</source>
        <translation>GPU en RAM</translation>
    </message>
    <message>
        <source>Video memory</source>
        <translation>Memoria de vídeo</translation>
    </message>
    <message>
        <source>Page tables</source>
        <translation>Tablas de páginas</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Memory of its processes in RAM (resident set).</source>
        <translation>Memoria de sus procesos en RAM (conjunto residente).</translation>
    </message>
    <message>
        <source>Memory moved out to swap.</source>
        <translation>Memoria trasladada al swap.</translation>
    </message>
    <message>
        <source>Its share of memory files (memfd), files in /dev/shm or /tmp kept in RAM, and shared memory segments it holds without mapping them. The kernel does not count this for it.</source>
        <translation>Su parte de archivos de memoria (memfd), de archivos en /dev/shm o /tmp guardados en RAM y de segmentos de memoria compartida que retiene sin mapearlos. El kernel no se lo cuenta.</translation>
    </message>
    <message>
        <source>Its share of buffers shared with graphics, video or camera drivers. The kernel does not count this for it.</source>
        <translation>Su parte de los búferes compartidos con controladores de gráficos, vídeo o cámara. El kernel no se lo cuenta.</translation>
    </message>
    <message>
        <source>GPU buffers kept in system RAM (integrated graphics, GTT). The kernel does not count this for it.</source>
        <translation>Búferes de GPU guardados en la RAM del sistema (gráficos integrados, GTT). El kernel no se lo cuenta.</translation>
    </message>
    <message>
        <source>Memory on the graphics card. Not RAM: shown for information, not in the total.</source>
        <translation>Memoria de la tarjeta gráfica. No es RAM: se muestra como información, no entra en el total.</translation>
    </message>
    <message>
        <source>Everything in RAM or swap this app is responsible for, including what the kernel cannot see.</source>
        <translation>Todo lo que esta aplicación ocupa en RAM o swap, incluido lo que el kernel no ve.</translation>
    </message>
    <message>
        <source>never picked</source>
        <translation>nunca elegida</translation>
    </message>
    <message>
        <source>The kernel&apos;s out-of-memory killer would never pick this app.</source>
        <translation>El OOM killer del kernel nunca elegiría esta aplicación.</translation>
    </message>
    <message>
        <source>%1 lower</source>
        <comment>rank places: the kernel ranks the app %1 places lower</comment>
        <translation>%1 más abajo</translation>
    </message>
    <message>
        <source>%1 higher</source>
        <comment>rank places: the kernel ranks the app %1 places higher</comment>
        <translation>%1 más arriba</translation>
    </message>
    <message>
        <source>same</source>
        <comment>the kernel ranks the app in the same place</comment>
        <translation>igual</translation>
    </message>
    <message>
        <source>%1 — %2 %3</source>
        <comment>size — kind of object, its name</comment>
        <translation>%1 — %2 %3</translation>
    </message>
    <message>
        <source>The kernel ranks it %1 places lower than it should: it cannot see %2 this app holds.</source>
        <translation>El kernel la sitúa %1 puestos más abajo de lo debido: no ve los %2 que ocupa esta aplicación.</translation>
    </message>
    <message>
        <source>The kernel ranks it %1 places lower than MemWarden does.</source>
        <translation>El kernel la sitúa %1 puestos más abajo que MemWarden.</translation>
    </message>
    <message>
        <source>The kernel ranks it %1 places higher: other apps hold more memory than the kernel sees.</source>
        <translation>El kernel la sitúa %1 puestos más arriba: otras aplicaciones ocupan más memoria de la que ve el kernel.</translation>
    </message>
    <message>
        <source>The kernel and MemWarden agree on this app.</source>
        <translation>El kernel y MemWarden coinciden en esta aplicación.</translation>
    </message>
    <message>
        <source>%1 video memory</source>
        <translation>%1 de memoria de vídeo</translation>
    </message>
    <message>
        <source>(split among %1 processes)</source>
        <translation>(repartido entre %1 procesos)</translation>
    </message>
    <message>
        <source>Hidden from the kernel: %1</source>
        <translation>Oculto al kernel: %1</translation>
    </message>
    <message>
        <source>Holds %1 in all; the kernel sees %2 of it.</source>
        <translation>Ocupa %1 en total; el kernel ve %2.</translation>
    </message>
    <message>
        <source>Kernel&apos;s pick: %1 · MemWarden&apos;s pick: #%2. %3</source>
        <translation>Elección del kernel: %1 · Elección de MemWarden: #%2. %3</translation>
    </message>
    <message>
        <source>Biggest hidden objects:</source>
        <translation>Mayores objetos ocultos:</translation>
    </message>
    <message>
        <source>Some of its processes could not be inspected: the hidden part is a lower bound.</source>
        <translation>Algunos de sus procesos no se pudieron examinar: la parte oculta es un mínimo.</translation>
    </message>
</context>
<context>
    <name>AppRules</name>
    <message>
        <source>Protected by your rule “%1”.</source>
        <translation>Protegida por su regla «%1».</translation>
    </message>
    <message>
        <source>Sacrificed first by your rule “%1”.</source>
        <translation>Se sacrifica primero por su regla «%1».</translation>
    </message>
</context>
<context>
    <name>AppsTableModel</name>
    <message>
        <source>App</source>
        <translation>Aplicación</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>In RAM</source>
        <translation>En RAM</translation>
    </message>
    <message>
        <source>Swap</source>
        <translation>Swap</translation>
    </message>
    <message>
        <source>Shared
files</source>
        <translation>Archivos
compartidos</translation>
    </message>
    <message>
        <source>DMA-BUF</source>
        <translation>DMA-BUF</translation>
    </message>
    <message>
        <source>GPU in
RAM</source>
        <translation>GPU en
RAM</translation>
    </message>
    <message>
        <source>Video
memory</source>
        <translation>Memoria
de vídeo</translation>
    </message>
    <message>
        <source>Kernel&apos;s
pick</source>
        <translation>Elección
del kernel</translation>
    </message>
    <message>
        <source>MemWarden&apos;s
pick</source>
        <translation>Elección de
MemWarden</translation>
    </message>
    <message>
        <source>Kernel
ranks it</source>
        <translation>El kernel
la sitúa</translation>
    </message>
    <message>
        <source>If memory
runs out</source>
        <translation>Si se acaba
la memoria</translation>
    </message>
    <message>
        <source>The order in which the kernel&apos;s out-of-memory killer would pick apps. It counts only memory mapped into processes.</source>
        <translation>El orden en que el OOM killer del kernel elegiría las aplicaciones. Solo cuenta la memoria mapeada en los procesos.</translation>
    </message>
    <message>
        <source>The order by everything an app really holds, including shared memory files and graphics buffers.</source>
        <translation>El orden según todo lo que ocupa de verdad una aplicación, incluidos archivos de memoria compartida y búferes gráficos.</translation>
    </message>
    <message>
        <source>How the kernel&apos;s order differs from the real one. An app ranked lower by the kernel can fill the memory while the kernel kills an innocent app.</source>
        <translation>En qué se diferencia el orden del kernel del real. Una aplicación que el kernel sitúa más abajo puede llenar la memoria mientras el kernel mata a una aplicación inocente.</translation>
    </message>
    <message>
        <source>Protect an app, sacrifice it first, or leave it to MemWarden. Saved by the monitor.</source>
        <translation>Proteger una aplicación, sacrificarla primero o dejar que decida MemWarden. Lo guarda el vigilante.</translation>
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
        <translation>unos %1 min</translation>
    </message>
    <message>
        <source>about %1 h</source>
        <translation>unas %1 h</translation>
    </message>
    <message>
        <source>not running out</source>
        <translation>no se agota</translation>
    </message>
    <message>
        <source>now</source>
        <translation>ahora</translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>en %1</translation>
    </message>
</context>
<context>
    <name>HistoryView</name>
    <message>
        <source>History of free memory and pressure</source>
        <translation>Historial de memoria libre y presión</translation>
    </message>
    <message>
        <source>warn</source>
        <translation>aviso</translation>
    </message>
    <message>
        <source>close</source>
        <translation>cierre</translation>
    </message>
    <message>
        <source>at once</source>
        <translation>inmediato</translation>
    </message>
    <message>
        <source>Free memory</source>
        <translation>Memoria libre</translation>
    </message>
    <message>
        <source>Waiting for memory</source>
        <translation>Esperando memoria</translation>
    </message>
    <message>
        <source>%1 ago</source>
        <translation>hace %1</translation>
    </message>
    <message>
        <source>now</source>
        <translation>ahora</translation>
    </message>
    <message>
        <source>Collecting data…</source>
        <translation>Recogiendo datos…</translation>
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
        <translation>Aplicaciones</translation>
    </message>
    <message>
        <source>Leftover files</source>
        <translation>Archivos huérfanos</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Configuración</translation>
    </message>
    <message>
        <source>The kernel picks what to kill by the memory it can see. Apps that hold shared memory files or graphics buffers look small to it: the kernel would kill an innocent app first. The difference is in the last columns.</source>
        <translation>El kernel elige qué matar según la memoria que ve. Las aplicaciones que retienen archivos de memoria compartida o búferes gráficos le parecen pequeñas: mataría antes a una aplicación inocente. La diferencia está en las últimas columnas.</translation>
    </message>
    <message>
        <source>Filter by name or kind</source>
        <translation>Filtrar por nombre o tipo</translation>
    </message>
    <message>
        <source>Only apps the kernel underrates</source>
        <translation>Solo las aplicaciones que el kernel subestima</translation>
    </message>
    <message>
        <source>Leftover files (%1)</source>
        <translation>Archivos huérfanos (%1)</translation>
    </message>
    <message>
        <source>Select an app to see what it holds and why it ranks where it does.</source>
        <translation>Seleccione una aplicación para ver qué ocupa y por qué está en ese puesto.</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>Memory is fine</source>
        <translation>La memoria está bien</translation>
    </message>
    <message>
        <source>Memory is running low</source>
        <translation>Queda poca memoria</translation>
    </message>
    <message>
        <source>Out of memory: an app is about to be closed</source>
        <translation>Sin memoria: se va a cerrar una aplicación</translation>
    </message>
    <message>
        <source>Guarding is paused</source>
        <translation>La vigilancia está en pausa</translation>
    </message>
    <message>
        <source>Not guarding: the monitor is not running</source>
        <translation>Sin vigilancia: el vigilante no está en marcha</translation>
    </message>
    <message>
        <source>Starting the monitor…</source>
        <translation>Iniciando el vigilante…</translation>
    </message>
    <message>
        <source>Memory state unknown</source>
        <translation>Estado de la memoria desconocido</translation>
    </message>
    <message>
        <source>Available memory is below the warning level.</source>
        <translation>La memoria disponible está por debajo del nivel de aviso.</translation>
    </message>
    <message>
        <source>Memory is filling up fast.</source>
        <translation>La memoria se llena deprisa.</translation>
    </message>
    <message>
        <source>Apps are waiting for memory: the system is slowing down.</source>
        <translation>Las aplicaciones esperan memoria: el sistema se ralentiza.</translation>
    </message>
    <message>
        <source>Available memory has reached the closing level.</source>
        <translation>La memoria disponible ha llegado al nivel de cierre.</translation>
    </message>
    <message>
        <source>Memory is almost exhausted.</source>
        <translation>La memoria está casi agotada.</translation>
    </message>
    <message>
        <source>The system has been stalling on memory for several seconds.</source>
        <translation>El sistema lleva varios segundos atascado por falta de memoria.</translation>
    </message>
    <message>
        <source>Memory is coming back, but not yet above the warning level.</source>
        <translation>La memoria se está recuperando, pero aún no supera el nivel de aviso.</translation>
    </message>
    <message>
        <source>Memory is running low.</source>
        <translation>Queda poca memoria.</translation>
    </message>
    <message>
        <source>You chose to sacrifice it first.</source>
        <translation>Usted eligió sacrificarla primero.</translation>
    </message>
    <message>
        <source>Most of its memory is shared memory or GPU buffers, which the kernel does not count: the kernel would have closed an innocent app instead.</source>
        <translation>Casi toda su memoria es memoria compartida o búferes de GPU, que el kernel no cuenta: el kernel habría cerrado en su lugar una aplicación inocente.</translation>
    </message>
    <message>
        <source>Its memory is growing fast.</source>
        <translation>Su memoria crece deprisa.</translation>
    </message>
    <message>
        <source>It uses the most memory.</source>
        <translation>Es la que más memoria usa.</translation>
    </message>
    <message>
        <source>You asked to close it.</source>
        <translation>Usted pidió cerrarla.</translation>
    </message>
    <message>
        <source>It is the app MemWarden chose to close.</source>
        <translation>Es la aplicación que MemWarden eligió cerrar.</translation>
    </message>
    <message>
        <source>No app can be closed: every app is protected or part of the desktop.</source>
        <translation>No se puede cerrar ninguna aplicación: todas están protegidas o forman parte del escritorio.</translation>
    </message>
    <message>
        <source>The memory is held by files in shared-memory folders that no app has open: closing apps will not free it.</source>
        <translation>La memoria la ocupan archivos en carpetas de memoria compartida que ninguna aplicación tiene abiertos: cerrar aplicaciones no la liberará.</translation>
    </message>
    <message>
        <source>It is the best app to close.</source>
        <translation>Es la mejor aplicación para cerrar.</translation>
    </message>
    <message>
        <source>It is protected. Remove the protection to close it.</source>
        <translation>Está protegida. Quite la protección para cerrarla.</translation>
    </message>
    <message>
        <source>It is part of the desktop session.</source>
        <translation>Forma parte de la sesión de escritorio.</translation>
    </message>
    <message>
        <source>It belongs to another user.</source>
        <translation>Pertenece a otro usuario.</translation>
    </message>
    <message>
        <source>It is the system&apos;s first process.</source>
        <translation>Es el primer proceso del sistema.</translation>
    </message>
    <message>
        <source>It is MemWarden itself.</source>
        <translation>Es el propio MemWarden.</translation>
    </message>
    <message>
        <source>The monitor has not looked at the apps yet. Try again in a moment.</source>
        <translation>El monitor aún no ha revisado las aplicaciones. Inténtelo de nuevo en un momento.</translation>
    </message>
    <message>
        <source>It is not running any more.</source>
        <translation>Ya no está en ejecución.</translation>
    </message>
    <message>
        <source>The monitor does not know this rule.</source>
        <translation>El monitor no conoce esta regla.</translation>
    </message>
    <message>
        <source>No app was named.</source>
        <translation>No se indicó ninguna aplicación.</translation>
    </message>
    <message>
        <source>The app has no name to remember the rule by.</source>
        <translation>La aplicación no tiene un nombre con el que recordar la regla.</translation>
    </message>
    <message>
        <source>The app&apos;s name is too long to remember a rule by.</source>
        <translation>El nombre de la aplicación es demasiado largo para recordar una regla.</translation>
    </message>
    <message>
        <source>The app&apos;s name cannot be used for a rule.</source>
        <translation>El nombre de la aplicación no se puede usar para una regla.</translation>
    </message>
    <message>
        <source>The monitor is not running.</source>
        <translation>El vigilante no está en marcha.</translation>
    </message>
    <message>
        <source>The monitor did not answer in time.</source>
        <translation>El vigilante no respondió a tiempo.</translation>
    </message>
    <message>
        <source>MemWarden is not connected to the session bus.</source>
        <translation>MemWarden no está conectado al bus de sesión.</translation>
    </message>
    <message>
        <source>The monitor&apos;s answer could not be read.</source>
        <translation>No se pudo leer la respuesta del monitor.</translation>
    </message>
    <message>
        <source>The monitor could not do it.</source>
        <translation>El monitor no pudo hacerlo.</translation>
    </message>
    <message>
        <source>Something went wrong inside the monitor; its log says what.</source>
        <translation>Algo falló dentro del monitor; su registro dice qué.</translation>
    </message>
    <message>
        <source>The monitor is busy answering other requests. Try again in a moment.</source>
        <translation>El vigilante está ocupado respondiendo otras peticiones. Vuelva a intentarlo en un momento.</translation>
    </message>
    <message>
        <source>There are too many protected or sacrificed apps: remove a rule first.</source>
        <translation>Hay demasiadas aplicaciones protegidas o sacrificadas primero: elimine antes una regla.</translation>
    </message>
    <message>
        <source>The monitor runs without a settings file.</source>
        <translation>El monitor funciona sin archivo de configuración.</translation>
    </message>
    <message>
        <source>The monitor could not write its settings file.</source>
        <translation>El monitor no pudo escribir su archivo de configuración.</translation>
    </message>
    <message>
        <source>It is not paused.</source>
        <translation>No está en pausa.</translation>
    </message>
    <message>
        <source>The monitor could not do it (%1).</source>
        <translation>El vigilante no pudo hacerlo (%1).</translation>
    </message>
    <message>
        <source>%1: the kernel&apos;s out-of-memory killer may still pick a protected app.</source>
        <translation>%1: el OOM killer del kernel aún puede elegir una aplicación protegida.</translation>
    </message>
    <message>
        <source>Something went wrong while talking to the monitor.</source>
        <translation>Algo falló al comunicarse con el monitor.</translation>
    </message>
    <message>
        <source>Background apps were trimmed.</source>
        <translation>Se redujeron las aplicaciones en segundo plano.</translation>
    </message>
    <message>
        <source>Background apps were trimmed partly.</source>
        <translation>Se redujeron en parte las aplicaciones en segundo plano.</translation>
    </message>
    <message>
        <source>Background apps had nothing to give back.</source>
        <translation>Las aplicaciones en segundo plano no tenían nada que devolver.</translation>
    </message>
    <message>
        <source>Background apps could not be trimmed: this system does not use cgroup v2.</source>
        <translation>No se pudieron reducir las aplicaciones en segundo plano: este sistema no usa cgroup v2.</translation>
    </message>
    <message>
        <source>Background apps could not be trimmed: the session does not let MemWarden manage them.</source>
        <translation>No se pudieron reducir las aplicaciones en segundo plano: la sesión no deja que MemWarden las gestione.</translation>
    </message>
    <message>
        <source>There are no background apps to trim.</source>
        <translation>No hay aplicaciones en segundo plano que reducir.</translation>
    </message>
    <message>
        <source>Background apps could not be trimmed: the memory controller is off.</source>
        <translation>No se pudieron reducir las aplicaciones en segundo plano: el controlador de memoria está desactivado.</translation>
    </message>
    <message>
        <source>Background apps could not be trimmed: something went wrong (the monitor&apos;s log says what).</source>
        <translation>No se pudieron reducir las aplicaciones en segundo plano: algo falló (el registro del monitor dice qué).</translation>
    </message>
    <message>
        <source>Background apps could not be trimmed (%1).</source>
        <translation>No se pudieron reducir las aplicaciones en segundo plano (%1).</translation>
    </message>
    <message>
        <source>Caches were dropped and memory compacted.</source>
        <translation>Se vaciaron las cachés y se compactó la memoria.</translation>
    </message>
    <message>
        <source>Caches were not dropped: something went wrong (the monitor&apos;s log says what).</source>
        <translation>No se vaciaron las cachés: algo falló (el registro del monitor dice qué).</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper is not in use.</source>
        <translation>No se vaciaron las cachés: el asistente privilegiado no está en uso.</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper is not installed.</source>
        <translation>No se vaciaron las cachés: el asistente privilegiado no está instalado.</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper does not work.</source>
        <translation>No se vaciaron las cachés: el asistente privilegiado no funciona.</translation>
    </message>
    <message>
        <source>Caches were not dropped: there is no system bus to reach the privileged helper.</source>
        <translation>No se vaciaron las cachés: no hay bus del sistema para llegar al asistente privilegiado.</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper did not answer.</source>
        <translation>No se vaciaron las cachés: el asistente privilegiado no respondió.</translation>
    </message>
    <message>
        <source>Caches were not dropped: not allowed.</source>
        <translation>No se vaciaron las cachés: no está permitido.</translation>
    </message>
    <message>
        <source>%1 of idle memory was moved to swap.</source>
        <translation>Se movieron %1 de memoria inactiva al espacio de intercambio.</translation>
    </message>
    <message>
        <source>Caches were not dropped again: they were dropped less than a minute ago.</source>
        <translation>No se volvieron a vaciar las cachés: se vaciaron hace menos de un minuto.</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper lacks a capability.</source>
        <translation>No se vaciaron las cachés: al asistente privilegiado le falta una capacidad.</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper is busy. Try again in a moment.</source>
        <translation>No se vaciaron las cachés: el ayudante privilegiado está ocupado. Vuelva a intentarlo en un momento.</translation>
    </message>
    <message>
        <source>Caches were not dropped: the privileged helper failed.</source>
        <translation>No se vaciaron las cachés: el asistente privilegiado falló.</translation>
    </message>
    <message>
        <source>Caches were not dropped (%1).</source>
        <translation>No se vaciaron las cachés (%1).</translation>
    </message>
    <message>
        <source>A step MemWarden does not know finished with: %1.</source>
        <translation>Un paso que MemWarden no conoce terminó con: %1.</translation>
    </message>
    <message>
        <source>an unknown app</source>
        <translation>una aplicación desconocida</translation>
    </message>
    <message>
        <source>the game %1</source>
        <translation>el juego %1</translation>
    </message>
    <message>
        <source>the browser %1</source>
        <translation>el navegador %1</translation>
    </message>
    <message>
        <source>%1 GPU memory</source>
        <translation>%1 de memoria de GPU</translation>
    </message>
    <message>
        <source>%1 shared memory</source>
        <translation>%1 de memoria compartida</translation>
    </message>
    <message>
        <source>%1 and %2</source>
        <translation>%1 y %2</translation>
    </message>
    <message>
        <source>%1, of which %2</source>
        <translation>%1, de los cuales %2</translation>
    </message>
    <message>
        <source>%1 (and %2 on the graphics card)</source>
        <translation>%1 (y %2 en la tarjeta gráfica)</translation>
    </message>
    <message>
        <source>The game %1 will be closed %2</source>
        <translation>El juego %1 se cerrará %2</translation>
    </message>
    <message>
        <source>The browser %1 will be closed %2</source>
        <translation>El navegador %1 se cerrará %2</translation>
    </message>
    <message>
        <source>%1 will be closed %2</source>
        <translation>%1 se cerrará %2</translation>
    </message>
    <message>
        <source>The game %1 would be closed if memory runs out</source>
        <translation>El juego %1 se cerraría si se acaba la memoria</translation>
    </message>
    <message>
        <source>The browser %1 would be closed if memory runs out</source>
        <translation>El navegador %1 se cerraría si se acaba la memoria</translation>
    </message>
    <message>
        <source>%1 would be closed if memory runs out</source>
        <translation>%1 se cerraría si se acaba la memoria</translation>
    </message>
    <message>
        <source>It is using %1. %2 %3</source>
        <translation>Está usando %1. %2 %3</translation>
    </message>
    <message>
        <source>A tab of %1 will be closed %2</source>
        <translation>Una pestaña de %1 se cerrará %2</translation>
    </message>
    <message>
        <source>A tab of %1 would be closed if memory runs out</source>
        <translation>Una pestaña de %1 se cerraría si se acaba la memoria</translation>
    </message>
    <message>
        <source>The tab is using %1; the rest of %2 stays open. %3 %4</source>
        <translation>La pestaña está usando %1; el resto de %2 sigue abierto. %3 %4</translation>
    </message>
    <message>
        <source>Closed a tab of %1 to keep your computer responsive</source>
        <translation>Se cerró una pestaña de %1 para que el equipo siga respondiendo</translation>
    </message>
    <message>
        <source>The tab was using %1; the rest of %2 stays open.</source>
        <translation>La pestaña estaba usando %1; el resto de %2 sigue abierto.</translation>
    </message>
    <message>
        <source>Closed %1</source>
        <translation>Se cerró %1</translation>
    </message>
    <message>
        <source>Closed %1 to keep your computer responsive</source>
        <translation>Se cerró %1 para que el equipo siga respondiendo</translation>
    </message>
    <message>
        <source>It was using %1.</source>
        <translation>Estaba usando %1.</translation>
    </message>
    <message>
        <source>It was paused and memory kept running out.</source>
        <translation>Estaba en pausa y la memoria siguió agotándose.</translation>
    </message>
    <message>
        <source>Available memory rose by %1.</source>
        <translation>La memoria disponible aumentó en %1.</translation>
    </message>
    <message>
        <source>Freed %1</source>
        <translation>Se liberaron %1</translation>
    </message>
    <message>
        <source>No memory could be freed without closing apps</source>
        <translation>No se pudo liberar memoria sin cerrar aplicaciones</translation>
    </message>
    <message>
        <source>Available memory: %1 before, %2 after.</source>
        <translation>Memoria disponible: %1 antes, %2 después.</translation>
    </message>
    <message>
        <source>The memory is held by files in shared-memory folders (such as /dev/shm) that no app has open. Closing apps will not free it: delete the files you do not need.</source>
        <translation>La memoria la ocupan archivos en carpetas de memoria compartida (como /dev/shm) que ninguna aplicación tiene abiertos. Cerrar aplicaciones no la liberará: borre los archivos que no necesite.</translation>
    </message>
    <message>
        <source>%1 is held by files that no app has open, so closing apps will not free it. Delete those you do not need: %2</source>
        <translation>%1 lo ocupan archivos que ninguna aplicación tiene abiertos, así que cerrar aplicaciones no lo liberará. Borre los que no necesite: %2</translation>
    </message>
    <message>
        <source>The game %1 was paused</source>
        <translation>Se pausó el juego %1</translation>
    </message>
    <message>
        <source>The browser %1 was paused</source>
        <translation>Se pausó el navegador %1</translation>
    </message>
    <message>
        <source>%1 was paused</source>
        <translation>Se pausó %1</translation>
    </message>
    <message>
        <source>It was using %1 and growing by %2.</source>
        <translation>Usaba %1 y crecía %2.</translation>
    </message>
    <message>
        <source>MemWarden moved its memory to swap: %1 of RAM is free for your other apps.</source>
        <translation>MemWarden movió su memoria al espacio de intercambio: %1 de RAM quedan libres para sus otras aplicaciones.</translation>
    </message>
    <message>
        <source>MemWarden moved part of its memory to swap: %1 of RAM is free for your other apps.</source>
        <translation>MemWarden movió parte de su memoria al espacio de intercambio: %1 de RAM quedan libres para sus otras aplicaciones.</translation>
    </message>
    <message>
        <source>MemWarden moved its memory to swap, but no RAM came free.</source>
        <translation>MemWarden movió su memoria al espacio de intercambio, pero no se liberó RAM.</translation>
    </message>
    <message>
        <source>MemWarden moved part of its memory to swap, but no RAM came free.</source>
        <translation>MemWarden movió parte de su memoria al espacio de intercambio, pero no se liberó RAM.</translation>
    </message>
    <message>
        <source>It had no memory that could be moved out of RAM.</source>
        <translation>No tenía memoria que se pudiera sacar de la RAM.</translation>
    </message>
    <message>
        <source>Its memory could not be moved out of RAM: there is no swap space.</source>
        <translation>Su memoria no se pudo sacar de la RAM: no hay espacio de intercambio.</translation>
    </message>
    <message>
        <source>Its memory could not be moved out of RAM: it does not run in a cgroup of its own.</source>
        <translation>Su memoria no se pudo sacar de la RAM: no se ejecuta en un cgroup propio.</translation>
    </message>
    <message>
        <source>Its memory could not be moved out of RAM: this system does not use cgroup v2.</source>
        <translation>Su memoria no se pudo sacar de la RAM: este sistema no usa cgroup v2.</translation>
    </message>
    <message>
        <source>Its memory could not be moved out of RAM: the memory controller is off.</source>
        <translation>Su memoria no se pudo sacar de la RAM: el controlador de memoria está desactivado.</translation>
    </message>
    <message>
        <source>Its memory could not be moved out of RAM: the session does not let MemWarden manage it.</source>
        <translation>Su memoria no se pudo sacar de la RAM: la sesión no deja que MemWarden la gestione.</translation>
    </message>
    <message>
        <source>Its memory could not be moved out of RAM: something went wrong (the monitor&apos;s log says what).</source>
        <translation>Su memoria no se pudo sacar de la RAM: algo falló (el registro del monitor dice qué).</translation>
    </message>
    <message>
        <source>Moving its memory out of RAM ended with: %1.</source>
        <translation>Sacar su memoria de la RAM terminó con: %1.</translation>
    </message>
    <message>
        <source>Its windows do not respond while it is paused. If memory runs out all the same, it will be closed.</source>
        <translation>Sus ventanas no responden mientras está en pausa. Si la memoria se agota de todos modos, se cerrará.</translation>
    </message>
    <message>
        <source>Resume it, close it, or protect it and resume it.</source>
        <translation>Reanúdela, ciérrela, o protéjala y reanúdela.</translation>
    </message>
    <message>
        <source>%1 is paused: it was using %2 and growing by %3.</source>
        <translation>%1 está en pausa: usaba %2 y crecía %3.</translation>
    </message>
    <message>
        <source>%1 is paused: it was using %2.</source>
        <translation>%1 está en pausa: usaba %2.</translation>
    </message>
    <message>
        <source>%1 is paused and waits for your choice</source>
        <translation>%1 está en pausa y espera su decisión</translation>
    </message>
    <message>
        <source>Several apps are paused and wait for your choice</source>
        <translation>Varias aplicaciones están en pausa y esperan su decisión</translation>
    </message>
    <message>
        <source>You resumed it.</source>
        <translation>Usted la reanudó.</translation>
    </message>
    <message>
        <source>It is being closed: it runs again first so that it can exit cleanly.</source>
        <translation>Se está cerrando: primero vuelve a ejecutarse para poder salir limpiamente.</translation>
    </message>
    <message>
        <source>It was closed because memory kept running out.</source>
        <translation>Se cerró porque la memoria siguió agotándose.</translation>
    </message>
    <message>
        <source>MemWarden&apos;s tray is not running, so it runs again: no app stays paused where you cannot see it.</source>
        <translation>El icono de bandeja de MemWarden no se está ejecutando, así que vuelve a ejecutarse: ninguna aplicación queda en pausa sin que usted lo vea.</translation>
    </message>
    <message>
        <source>The monitor stopped, so it runs again.</source>
        <translation>El monitor se detuvo, así que vuelve a ejecutarse.</translation>
    </message>
    <message>
        <source>It runs again (%1).</source>
        <translation>Vuelve a ejecutarse (%1).</translation>
    </message>
    <message>
        <source>%1 is no longer paused</source>
        <translation>%1 ya no está en pausa</translation>
    </message>
</context>
<context>
    <name>OrphansPage</name>
    <message>
        <source>Size</source>
        <translation>Tamaño</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>Propietario</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Ubicación</translation>
    </message>
    <message>
        <source>Delete file…</source>
        <translation>Borrar archivo…</translation>
    </message>
    <message>
        <source>Copy command</source>
        <translation>Copiar orden</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Abrir carpeta</translation>
    </message>
    <message>
        <source>Delete file</source>
        <translation>Borrar archivo</translation>
    </message>
    <message>
        <source>Delete %1? Its %2 of RAM will be free again. This cannot be undone.</source>
        <translation>¿Borrar %1? Sus %2 de RAM volverán a estar libres. No se puede deshacer.</translation>
    </message>
    <message>
        <source>Could not delete %1: %2</source>
        <translation>No se pudo borrar %1: %2</translation>
    </message>
    <message>
        <source>Deleted %1: %2 of RAM are free again.</source>
        <translation>Se borró %1: %2 de RAM vuelven a estar libres.</translation>
    </message>
    <message>
        <source>Copied: %1</source>
        <translation>Copiado: %1</translation>
    </message>
</context>
<context>
    <name>OrphansPresenter</name>
    <message>
        <source>you</source>
        <translation>usted</translation>
    </message>
    <message>
        <source>user %1</source>
        <translation>usuario %1</translation>
    </message>
    <message>
        <source>A shared memory segment no program is attached to. If the program that made it has ended for good, remove it with the command below.</source>
        <translation>Un segmento de memoria compartida al que no está conectado ningún programa. Si el programa que lo creó ya terminó definitivamente, elimínelo con la orden de abajo.</translation>
    </message>
    <message>
        <source>A file kept in RAM that no program has open. If you do not need it, delete it: its memory comes back at once. Closing apps cannot free it.</source>
        <translation>Un archivo guardado en RAM que ningún programa tiene abierto. Si no lo necesita, bórrelo: su memoria vuelve al instante. Cerrar aplicaciones no puede liberarla.</translation>
    </message>
    <message>
        <source>It belongs to another user: ask them or an administrator.</source>
        <translation>Pertenece a otro usuario: pregúntele a él o a un administrador.</translation>
    </message>
    <message>
        <source>No memory is held by leftover files. Nothing to do.</source>
        <translation>Ningún archivo huérfano ocupa memoria. No hay nada que hacer.</translation>
    </message>
    <message>
        <source>%1 of RAM is held by leftover files that no program has open. Closing apps will not free it; deleting the files will.</source>
        <translation>Hay %1 de RAM ocupados por archivos huérfanos que ningún programa tiene abiertos. Cerrar aplicaciones no los liberará; borrar los archivos, sí.</translation>
    </message>
</context>
<context>
    <name>PausedAppsTray</name>
    <message>
        <source>Show apps</source>
        <extracomment>How many apps that stopped being paused are remembered, to name them when AppResumed says why. The action keys of a paused app&apos;s notification (``default``: a click on it opens the prompt).</extracomment>
        <translation>Mostrar aplicaciones</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reanudar</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Protect and resume</source>
        <translation>Proteger y reanudar</translation>
    </message>
    <message>
        <source>Could not resume %1</source>
        <translation>No se pudo reanudar %1</translation>
    </message>
    <message>
        <source>Could not protect and resume %1</source>
        <translation>No se pudo proteger y reanudar %1</translation>
    </message>
</context>
<context>
    <name>Prompt</name>
    <message>
        <source>The game %1 would be closed first. %2</source>
        <translation>El juego %1 se cerraría primero. %2</translation>
    </message>
    <message>
        <source>The browser %1 would be closed first. %2</source>
        <translation>El navegador %1 se cerraría primero. %2</translation>
    </message>
    <message>
        <source>%1 would be closed first. %2</source>
        <translation>%1 se cerraría primero. %2</translation>
    </message>
    <message>
        <source>A tab of %1 would be closed first (it uses %3); the rest of it stays open. %2</source>
        <translation>Una pestaña de %1 se cerraría primero (usa %3); el resto sigue abierto. %2</translation>
    </message>
    <message>
        <source>Available memory: %1. Close the apps you do not need to keep your computer responsive.</source>
        <translation>Memoria disponible: %1. Cierre las aplicaciones que no necesite para que el equipo siga respondiendo.</translation>
    </message>
    <message>
        <source>MemWarden will close an app %1.</source>
        <translation>MemWarden cerrará una aplicación %1.</translation>
    </message>
    <message>
        <source>Your system is running out of application memory</source>
        <translation>Su sistema se está quedando sin memoria para aplicaciones</translation>
    </message>
</context>
<context>
    <name>PromptWindow</name>
    <message>
        <source>Out of memory</source>
        <translation>Sin memoria</translation>
    </message>
    <message>
        <source>App</source>
        <translation>Aplicación</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Memoria</translation>
    </message>
    <message>
        <source>Of which</source>
        <translation>De ella</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reanudar</translation>
    </message>
    <message>
        <source>Close selected</source>
        <translation>Cerrar la selección</translation>
    </message>
    <message>
        <source>Protect</source>
        <translation>Proteger</translation>
    </message>
    <message>
        <source>Free memory now</source>
        <translation>Liberar memoria ahora</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <source>%1 (paused)</source>
        <translation>%1 (en pausa)</translation>
    </message>
    <message>
        <source>%1 (would be closed)</source>
        <translation>%1 (se cerraría)</translation>
    </message>
    <message>
        <source>%1 (protected)</source>
        <translation>%1 (protegida)</translation>
    </message>
    <message>
        <source>%1 (sacrifice first)</source>
        <translation>%1 (sacrificar primero)</translation>
    </message>
    <message>
        <source>Protect and resume</source>
        <translation>Proteger y reanudar</translation>
    </message>
    <message>
        <source>Remove protection</source>
        <translation>Quitar protección</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>When memory runs low</source>
        <extracomment>The monitor&apos;s saved settings the page&apos;s boxes started from (what they do not edit, and what Apply compares with); None when there are none to change.</extracomment>
        <translation>Cuando queda poca memoria</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>% of RAM and swap</source>
        <translation> % de RAM y swap</translation>
    </message>
    <message>
        <source>% of the time</source>
        <translation> % del tiempo</translation>
    </message>
    <message>
        <source>Warn me when free memory falls below</source>
        <translation>Avisarme si la memoria libre baja de</translation>
    </message>
    <message>
        <source>Ask an app to close below</source>
        <translation>Pedir a una aplicación que se cierre por debajo de</translation>
    </message>
    <message>
        <source>Close it at once below</source>
        <translation>Cerrarla de inmediato por debajo de</translation>
    </message>
    <message>
        <source>Time it gets to save its work</source>
        <translation>Tiempo para guardar su trabajo</translation>
    </message>
    <message>
        <source>Pause an app that keeps eating memory, and ask me before closing it</source>
        <translation>Pausar una aplicación que sigue consumiendo memoria y preguntarme antes de cerrarla</translation>
    </message>
    <message>
        <source>At the close limit, an app that is still growing is frozen, not closed, until you choose what to do.</source>
        <translation>En el límite de cierre, una aplicación que sigue creciendo se congela, no se cierra, hasta que usted decida qué hacer.</translation>
    </message>
    <message>
        <source>Warn early if memory would run out within</source>
        <translation>Avisar antes si la memoria se acabaría en</translation>
    </message>
    <message>
        <source>Warn when programs wait for memory more than</source>
        <translation>Avisar si los programas esperan memoria más del</translation>
    </message>
    <message>
        <source>Close an app when everything is stalled more than</source>
        <translation>Cerrar una aplicación si todo está atascado más del</translation>
    </message>
    <message>
        <source>… for at least</source>
        <translation>… durante al menos</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Aplicar</translation>
    </message>
    <message>
        <source>Restore defaults</source>
        <translation>Restablecer valores</translation>
    </message>
    <message>
        <source>Protection and the kernel</source>
        <translation>La protección y el kernel</translation>
    </message>
    <message>
        <source>Your rules</source>
        <translation>Sus reglas</translation>
    </message>
    <message>
        <source>Make normal</source>
        <translation>Volver a normal</translation>
    </message>
    <message>
        <source>Settings file: %1</source>
        <translation>Archivo de configuración: %1</translation>
    </message>
    <message>
        <source>Your settings file could not be used, so the defaults are in force: %1</source>
        <translation>No se pudo usar su archivo de configuración, así que rigen los valores predeterminados: %1</translation>
    </message>
    <message>
        <source>No rules yet: protect or sacrifice apps in the Apps tab.</source>
        <translation>Aún no hay reglas: proteja o sacrifique aplicaciones en la pestaña «Aplicaciones».</translation>
    </message>
</context>
<context>
    <name>SettingsPresenter</name>
    <message>
        <source>The monitor is not running, so the settings cannot be changed now. MemWarden starts it again by itself.</source>
        <extracomment>The settings the page edits, in its order, each with its spin box&apos;s step. The switches the page edits, each a check box. The reason codes of SetSettings, and of the checks the page makes first.</extracomment>
        <translation>El monitor no está en marcha, así que la configuración no se puede cambiar ahora. MemWarden lo vuelve a iniciar por sí solo.</translation>
    </message>
    <message>
        <source>The monitor was started without a settings file (--no-config): its limits are set on its command line and cannot be changed here.</source>
        <translation>El monitor se inició sin archivo de configuración (--no-config): sus límites están en su línea de órdenes y no se pueden cambiar aquí.</translation>
    </message>
    <message>
        <source>This monitor is older than the window and cannot change its settings: restart it.</source>
        <translation>Este monitor es más antiguo que la ventana y no puede cambiar su configuración: reinícielo.</translation>
    </message>
    <message>
        <source>The monitor&apos;s command line sets %1; while it runs, those win over what is saved here.</source>
        <translation>La línea de órdenes del monitor fija %1; mientras se ejecuta, eso prevalece sobre lo guardado aquí.</translation>
    </message>
    <message>
        <source>The limits must be in order: warn first, then close, then close at once (warn ≥ close ≥ at once).</source>
        <translation>Los límites deben ir en orden: primero avisar, luego cerrar y luego cerrar de inmediato (aviso ≥ cierre ≥ inmediato).</translation>
    </message>
    <message>
        <source>A value is out of range.</source>
        <translation>Un valor está fuera de rango.</translation>
    </message>
    <message>
        <source>The monitor does not know one of these settings (%1): it may be older than the window; restart it.</source>
        <translation>El monitor no conoce uno de estos ajustes (%1): puede ser más antiguo que la ventana; reinícielo.</translation>
    </message>
    <message>
        <source>A setting was both changed and reset (%1).</source>
        <translation>Un ajuste se cambió y se restableció a la vez (%1).</translation>
    </message>
    <message>
        <source>A value would always hold, so MemWarden would close one app after another.</source>
        <translation>Un valor se cumpliría siempre, así que MemWarden cerraría una aplicación tras otra.</translation>
    </message>
    <message>
        <source>A limit in MiB is at or above this computer&apos;s memory and swap.</source>
        <translation>Un límite en MiB está en o por encima de la memoria y el intercambio de este equipo.</translation>
    </message>
    <message>
        <source>The monitor runs without a settings file (--no-config): nothing can be saved.</source>
        <translation>El monitor funciona sin archivo de configuración (--no-config): no se puede guardar nada.</translation>
    </message>
    <message>
        <source>The monitor could not write its settings file; nothing was changed.</source>
        <translation>El monitor no pudo escribir su archivo de configuración; no se cambió nada.</translation>
    </message>
    <message>
        <source>The monitor refused the settings (%1).</source>
        <translation>El monitor rechazó la configuración (%1).</translation>
    </message>
    <message>
        <source>You get a warning when less than %1 of memory is free.</source>
        <translation>Recibirá un aviso cuando queden libres menos de %1 de memoria.</translation>
    </message>
    <message>
        <source>Below %1, MemWarden asks one app to close (one you chose to sacrifice, or else the one that really holds the memory) and gives it %2 to save its work.</source>
        <translation>Por debajo de %1, MemWarden pide a una aplicación que se cierre (una que usted eligió sacrificar o, si no, la que de verdad ocupa la memoria) y le da %2 para guardar su trabajo.</translation>
    </message>
    <message>
        <source>If that app is still growing, MemWarden pauses it instead and asks you whether to resume it, close it, or protect it and resume it.</source>
        <translation>Si esa aplicación sigue creciendo, MemWarden la pausa en su lugar y le pregunta si reanudarla, cerrarla, o protegerla y reanudarla.</translation>
    </message>
    <message>
        <source>It does so even when that app is still growing: pausing it to ask you first is off.</source>
        <translation>Lo hace incluso si esa aplicación sigue creciendo: pausarla para preguntarle antes está desactivado.</translation>
    </message>
    <message>
        <source>Below %1, it closes that app at once, before the system freezes.</source>
        <translation>Por debajo de %1, cierra esa aplicación de inmediato, antes de que el sistema se congele.</translation>
    </message>
    <message>
        <source>You are also warned when, at the current rate, memory would run out within %1, even if there is still plenty free.</source>
        <translation>También recibirá un aviso si, al ritmo actual, la memoria se acabaría en %1, aunque todavía quede mucha libre.</translation>
    </message>
    <message>
        <source>And when programs spend more than %1 of their time waiting for memory; if everything is stalled more than %2 of the time for %3, an app is closed.</source>
        <translation>Y cuando los programas pasen más del %1 de su tiempo esperando memoria; si todo está atascado más del %2 del tiempo durante %3, se cierra una aplicación.</translation>
    </message>
    <message>
        <source>Your settings file sets some limits in MiB; those take the place of the percentages. Edit the file to change them.</source>
        <translation>Su archivo de configuración fija algunos límites en MiB; estos sustituyen a los porcentajes. Edite el archivo para cambiarlos.</translation>
    </message>
    <message>
        <source>In force now: warn below %1, close below %2, at once below %3.</source>
        <translation>Vigente ahora: aviso por debajo de %1, cierre por debajo de %2, inmediato por debajo de %3.</translation>
    </message>
    <message>
        <source>The settings were not changed: %1</source>
        <translation>La configuración no se cambió: %1</translation>
    </message>
    <message>
        <source>Saved and in force.</source>
        <translation>Guardado y vigente.</translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message>
        <source>Looking at your apps…</source>
        <translation>Revisando sus aplicaciones…</translation>
    </message>
    <message>
        <source>No apps to list</source>
        <translation>No hay aplicaciones que mostrar</translation>
    </message>
    <message>
        <source>The monitor is not running</source>
        <translation>El vigilante no está en marcha</translation>
    </message>
    <message>
        <source>Start guarding</source>
        <translation>Empezar a vigilar</translation>
    </message>
    <message>
        <source>Free memory now</source>
        <translation>Liberar memoria ahora</translation>
    </message>
    <message>
        <source>Open MemWarden</source>
        <translation>Abrir MemWarden</translation>
    </message>
    <message>
        <source>Resume guarding</source>
        <translation>Reanudar la vigilancia</translation>
    </message>
    <message>
        <source>Pause guarding</source>
        <translation>Pausar la vigilancia</translation>
    </message>
    <message>
        <source>For 1 hour</source>
        <translation>Durante 1 hora</translation>
    </message>
    <message>
        <source>Until restart</source>
        <translation>Hasta reiniciar</translation>
    </message>
    <message>
        <source>Start at login</source>
        <translation>Iniciar al entrar en la sesión</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <source>Quit and stop guarding</source>
        <translation>Salir y dejar de vigilar</translation>
    </message>
    <message>
        <source>Protect</source>
        <translation>Proteger</translation>
    </message>
    <message>
        <source>Sacrifice first</source>
        <translation>Sacrificar primero</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reanudar</translation>
    </message>
    <message>
        <source>Protect and resume</source>
        <translation>Proteger y reanudar</translation>
    </message>
    <message>
        <source>Show apps</source>
        <translation>Mostrar aplicaciones</translation>
    </message>
    <message>
        <source>Protect %1</source>
        <translation>Proteger %1</translation>
    </message>
    <message>
        <source>Close %1</source>
        <translation>Cerrar %1</translation>
    </message>
    <message>
        <source>Free memory</source>
        <translation>Liberar memoria</translation>
    </message>
    <message>
        <source>Could not protect %1</source>
        <translation>No se pudo proteger %1</translation>
    </message>
    <message>
        <source>Could not mark %1 to sacrifice first</source>
        <translation>No se pudo marcar %1 para sacrificarla primero</translation>
    </message>
    <message>
        <source>Could not change the rule of %1</source>
        <translation>No se pudo cambiar la regla de %1</translation>
    </message>
    <message>
        <source>Could not close %1</source>
        <translation>No se pudo cerrar %1</translation>
    </message>
    <message>
        <source>Could not free memory</source>
        <translation>No se pudo liberar memoria</translation>
    </message>
    <message>
        <source>Could not pause</source>
        <translation>No se pudo pausar</translation>
    </message>
    <message>
        <source>Could not resume</source>
        <translation>No se pudo reanudar</translation>
    </message>
    <message>
        <source>Could not change Start at login</source>
        <translation>No se pudo cambiar «Iniciar al entrar en la sesión»</translation>
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
        <translation>%1 (se cerraría una de sus pestañas)</translation>
    </message>
    <message>
        <source>%1 (closed next)</source>
        <translation>%1 (la próxima en cerrarse)</translation>
    </message>
    <message>
        <source>%1 — %2 (paused)</source>
        <translation>%1 — %2 (en pausa)</translation>
    </message>
    <message>
        <source>MemWarden: %1</source>
        <translation>MemWarden: %1</translation>
    </message>
    <message>
        <source>The monitor keeps stopping; its log: %1</source>
        <translation>El vigilante se detiene una y otra vez; su registro: %1</translation>
    </message>
    <message>
        <source>Available memory: %1</source>
        <translation>Memoria disponible: %1</translation>
    </message>
    <message>
        <source>Memory runs out %1</source>
        <translation>La memoria se acaba %1</translation>
    </message>
    <message>
        <source>Memory pressure: %1 (stalled: %2)</source>
        <translation>Presión de memoria: %1 (atascado: %2)</translation>
    </message>
    <message>
        <source>Would be closed next: a tab of %1 (%2)</source>
        <translation>Se cerraría la próxima: una pestaña de %1 (%2)</translation>
    </message>
    <message>
        <source>Would be closed next: %1</source>
        <translation>Se cerraría la próxima: %1</translation>
    </message>
    <message>
        <source>Guarding is paused: no app will be closed automatically.</source>
        <translation>La vigilancia está en pausa: no se cerrará ninguna aplicación automáticamente.</translation>
    </message>
    <message>
        <source>Settings problem: %1</source>
        <translation>Problema de configuración: %1</translation>
    </message>
</context>
<context>
    <name>WindowController</name>
    <message>
        <source>Could not change %1: %2</source>
        <translation>No se pudo cambiar %1: %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <comment>app name: what its rule does</comment>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Nothing guards memory until it runs again. Start it with: memwarden monitor</source>
        <translation>Nada vigila la memoria hasta que vuelva a funcionar. Inícielo con: memwarden monitor</translation>
    </message>
    <message>
        <source>%1 of %2 free (RAM and swap)</source>
        <translation>%1 de %2 libres (RAM y swap)</translation>
    </message>
    <message>
        <source>%1 free</source>
        <translation>%1 libres</translation>
    </message>
    <message>
        <source>Not running out at this rate</source>
        <translation>No se agota a este ritmo</translation>
    </message>
    <message>
        <source>Runs out %1</source>
        <translation>Se agota %1</translation>
    </message>
    <message>
        <source>Waiting for memory: %1 of the time (everything stalled: %2)</source>
        <translation>Esperando memoria: %1 del tiempo (todo atascado: %2)</translation>
    </message>
    <message>
        <source>First to close if memory runs out: %1</source>
        <translation>La primera en cerrarse si se acaba la memoria: %1</translation>
    </message>
    <message>
        <source>No app would be closed right now.</source>
        <translation>Ahora mismo no se cerraría ninguna aplicación.</translation>
    </message>
    <message>
        <source>Paused: MemWarden warns but closes nothing.</source>
        <translation>En pausa: MemWarden avisa, pero no cierra nada.</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>Browser</source>
        <translation>Navegador</translation>
    </message>
    <message>
        <source>Game</source>
        <translation>Juego</translation>
    </message>
    <message>
        <source>Desktop</source>
        <translation>Escritorio</translation>
    </message>
    <message>
        <source>App</source>
        <translation>Aplicación</translation>
    </message>
    <message>
        <source>Other (%1)</source>
        <translation>Otro (%1)</translation>
    </message>
    <message>
        <source>Protect</source>
        <translation>Proteger</translation>
    </message>
    <message>
        <source>Sacrifice first</source>
        <translation>Sacrificar primero</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>Normal</translation>
    </message>
    <message>
        <source>Unknown rule (%1)</source>
        <translation>Regla desconocida (%1)</translation>
    </message>
    <message>
        <source>MemWarden never closes this app; when memory runs out it closes another one.</source>
        <translation>MemWarden nunca cierra esta aplicación; cuando se acaba la memoria, cierra otra.</translation>
    </message>
    <message>
        <source>When memory runs out, this app is closed before any other.</source>
        <translation>Cuando se acaba la memoria, esta aplicación se cierra antes que ninguna otra.</translation>
    </message>
    <message>
        <source>Closed only if it is the app that really holds the memory.</source>
        <translation>Solo se cierra si es la aplicación que de verdad ocupa la memoria.</translation>
    </message>
    <message>
        <source>memory file (memfd)</source>
        <translation>archivo de memoria (memfd)</translation>
    </message>
    <message>
        <source>file in RAM (tmpfs)</source>
        <translation>archivo en RAM (tmpfs)</translation>
    </message>
    <message>
        <source>shared memory segment (System V)</source>
        <translation>segmento de memoria compartida (System V)</translation>
    </message>
    <message>
        <source>graphics or camera buffer (DMA-BUF)</source>
        <translation>búfer de gráficos o cámara (DMA-BUF)</translation>
    </message>
    <message>
        <source>GPU buffers</source>
        <translation>búferes de GPU</translation>
    </message>
    <message>
        <source>other (%1)</source>
        <translation>otro (%1)</translation>
    </message>
    <message>
        <source>Protection reaches the kernel</source>
        <translation>La protección llega al kernel</translation>
    </message>
    <message>
        <source>Protection not tried yet</source>
        <translation>Protección aún no probada</translation>
    </message>
    <message>
        <source>The monitor runs without the helper</source>
        <translation>El monitor funciona sin el asistente</translation>
    </message>
    <message>
        <source>The helper is busy: protection will be tried again</source>
        <translation>El asistente está ocupado: se volverá a intentar la protección</translation>
    </message>
    <message>
        <source>The helper is not installed</source>
        <translation>El asistente no está instalado</translation>
    </message>
    <message>
        <source>The helper is installed but does not work</source>
        <translation>El asistente está instalado pero no funciona</translation>
    </message>
    <message>
        <source>There is no system bus to reach the helper</source>
        <translation>No hay bus del sistema para llegar al asistente</translation>
    </message>
    <message>
        <source>The helper did not answer</source>
        <translation>El asistente no respondió</translation>
    </message>
    <message>
        <source>The helper is not allowed to protect your apps</source>
        <translation>El asistente no tiene permiso para proteger sus aplicaciones</translation>
    </message>
    <message>
        <source>The helper lacks a capability</source>
        <translation>Al asistente le falta una capacidad</translation>
    </message>
    <message>
        <source>An app&apos;s process exited before it was protected</source>
        <translation>Un proceso de una aplicación terminó antes de ser protegido</translation>
    </message>
    <message>
        <source>A protected app runs a program of another user</source>
        <translation>Una aplicación protegida ejecuta un programa de otro usuario</translation>
    </message>
    <message>
        <source>The helper failed</source>
        <translation>El asistente falló</translation>
    </message>
    <message>
        <source>Protected apps are shielded from MemWarden and also from the kernel&apos;s own out-of-memory killer: the helper lowered their score.</source>
        <translation>Las aplicaciones protegidas están a salvo de MemWarden y también del OOM killer del propio kernel: el asistente bajó su puntuación.</translation>
    </message>
    <message>
        <source>No app has been protected since the monitor started, so the helper has not been asked yet. MemWarden itself never closes a protected app.</source>
        <translation>No se ha protegido ninguna aplicación desde que arrancó el vigilante, así que aún no se ha consultado al asistente. MemWarden nunca cierra una aplicación protegida.</translation>
    </message>
    <message>
        <source>The monitor was started without the privileged helper (--no-helper), so the kernel does not know about protection. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>El monitor se inició sin el asistente privilegiado (--no-helper), así que el kernel no sabe de la protección. MemWarden nunca cierra una aplicación protegida, pero el OOM killer del kernel aún puede elegirla.</translation>
    </message>
    <message>
        <source>The helper had too many requests at once and did nothing this time; the monitor asks it again on its next pass. MemWarden itself never closes a protected app.</source>
        <translation>El asistente tuvo demasiadas peticiones a la vez y esta vez no hizo nada; el monitor se lo vuelve a pedir en su siguiente pasada. MemWarden nunca cierra por sí mismo una aplicación protegida.</translation>
    </message>
    <message>
        <source>MemWarden never closes a protected app, but the kernel does not know about protection: if memory runs out completely before MemWarden acts, the kernel&apos;s out-of-memory killer may still pick it. Install the memwarden-helper package to tell the kernel too.</source>
        <translation>MemWarden nunca cierra una aplicación protegida, pero el kernel no sabe nada de la protección: si la memoria se agota del todo antes de que MemWarden actúe, el OOM killer del kernel aún puede elegirla. Instale el paquete memwarden-helper para que también lo sepa el kernel.</translation>
    </message>
    <message>
        <source>The helper failed to start, or it does not match this version of MemWarden. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it. Install the memwarden-helper package of the same version as MemWarden; the system log (journalctl -u memwarden-helper) says why it failed.</source>
        <translation>El asistente no pudo iniciarse, o no corresponde a esta versión de MemWarden. MemWarden nunca cierra una aplicación protegida, pero el OOM killer del kernel aún puede elegirla. Instale el paquete memwarden-helper de la misma versión que MemWarden; el registro del sistema (journalctl -u memwarden-helper) dice por qué falló.</translation>
    </message>
    <message>
        <source>MemWarden reaches its helper over the system bus (D-Bus), and this session cannot connect to it, as in some containers and sandboxes. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>MemWarden llega a su asistente por el bus del sistema (D-Bus), y esta sesión no puede conectarse a él, como en algunos contenedores y entornos aislados. MemWarden nunca cierra una aplicación protegida, pero el OOM killer del kernel aún puede elegirla.</translation>
    </message>
    <message>
        <source>The helper did not answer in time, or the connection to it broke: it may have been stopping, or stalled for lack of memory. It is asked again when a protected app starts a new process or a rule changes; until then MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>El asistente no respondió a tiempo, o se cortó la conexión con él: quizá se estaba deteniendo, o se quedó bloqueado por falta de memoria. Se le vuelve a preguntar cuando una aplicación protegida inicia un proceso nuevo o cambia una regla; hasta entonces MemWarden nunca cierra una aplicación protegida, pero el OOM killer del kernel aún puede elegirla.</translation>
    </message>
    <message>
        <source>The system&apos;s policy (polkit, or the system bus&apos;s own rules) did not allow the helper to act for you, or could not be asked. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>La política del sistema (polkit, o las propias reglas del bus del sistema) no permitió que el asistente actuara por usted, o no se pudo consultar. MemWarden nunca cierra una aplicación protegida, pero el OOM killer del kernel aún puede elegirla.</translation>
    </message>
    <message>
        <source>The helper runs without a right the kernel asks for (CAP_SYS_RESOURCE to lower scores), for example in a container. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>El asistente funciona sin un derecho que el kernel exige (CAP_SYS_RESOURCE para bajar puntuaciones), por ejemplo en un contenedor. MemWarden nunca cierra una aplicación protegida, pero el OOM killer del kernel aún puede elegirla.</translation>
    </message>
    <message>
        <source>The helper was asked about a process that had exited in the meantime: nothing was lost. The app&apos;s new processes are protected as they start. MemWarden itself never closes a protected app.</source>
        <translation>Se preguntó al asistente por un proceso que ya había terminado: no se perdió nada. Los procesos nuevos de la aplicación se protegen al iniciarse. MemWarden nunca cierra por sí mismo una aplicación protegida.</translation>
    </message>
    <message>
        <source>The helper changes only your own processes, and a protected app runs a program as another user (through sudo or a setuid program), so the kernel was not told about that program. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick that program.</source>
        <translation>El asistente solo cambia sus propios procesos, y una aplicación protegida ejecuta un programa como otro usuario (mediante sudo o un programa setuid), así que no se informó al kernel de ese programa. MemWarden nunca cierra una aplicación protegida, pero el OOM killer del kernel aún puede elegir ese programa.</translation>
    </message>
    <message>
        <source>Something unexpected went wrong between the monitor and the helper; the system log (journalctl) has the details. MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>Algo inesperado falló entre el monitor y el asistente; el registro del sistema (journalctl) tiene los detalles. MemWarden nunca cierra una aplicación protegida, pero el OOM killer del kernel aún puede elegirla.</translation>
    </message>
    <message>
        <source>The helper reported a problem (%1)</source>
        <translation>El asistente informó de un problema (%1)</translation>
    </message>
    <message>
        <source>MemWarden never closes a protected app, but the kernel&apos;s out-of-memory killer may still pick it.</source>
        <translation>MemWarden nunca cierra una aplicación protegida, pero el OOM killer del kernel aún puede elegirla.</translation>
    </message>
</context>
</TS>
