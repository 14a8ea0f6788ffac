// sqlite3_config is variadic, which Swift cannot call: this file is its one caller.
#include <sqlite3.h>

#include "sg_sqlite_settings.h"

int sg_sqlite_configure_process(void) {
    int code = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (code != SQLITE_OK) return code;
    return sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
}
