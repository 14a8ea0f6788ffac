#ifndef SG_SQLITE_SETTINGS_H
#define SG_SQLITE_SETTINGS_H

/// SQLite's process-wide settings for the gateway; only takes effect before SQLite initializes
/// (before the first connection opens). Returns SQLite's result code: SQLITE_OK, or
/// SQLITE_MISUSE when it was too late and SQLite kept its defaults.
///
/// - Memory statistics off. With them on (Debian's build default), every allocation and free
///   SQLite makes takes a process-wide mutex to count it.
/// - Connections in multi-thread mode unless opened otherwise: no mutex around each call on a
///   connection or statement. GRDB already runs each connection on one serial queue, and only
///   supports this mode.
int sg_sqlite_configure_process(void);

#endif
