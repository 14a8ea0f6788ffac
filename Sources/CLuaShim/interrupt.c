/*
 * The deadline hook armed late. A count hook makes Lua call into the hook machinery before
 * every instruction, which costs a run of a short function a fifth of its time. A state made
 * with `late_hook` therefore runs without it, and the hook is armed only when it is needed:
 * when the owner's watchdog interrupts the thread at the deadline (SIGURG, whose handler runs
 * on the thread that runs the script), when a run starts or resumes past its deadline, and
 * when the allocator or a guard marks a limit.
 *
 * Safety: hooks belong to each Lua thread, so the hook must be armed on the thread that is
 * running script code when the signal lands. `running` follows every switch of thread: a
 * task's start and resume, and the sandbox's coroutine.resume and coroutine.close (see
 * guards.c), which are the only ways a script can run code in another of its threads. Each
 * switch first publishes the new thread and then reads `armed`; the handler first sets
 * `armed` and then reads `running`. Whichever comes first, the thread that runs next is armed.
 * lua_sethook is one of the calls Lua lets a signal handler make (lua.c's own Ctrl-C handler
 * does it); the handler makes no other call. A limit's error is re-raised by every guard on its
 * way out, so arming the innermost running thread is enough to end the whole run.
 */
#include "sg_shim.h"
#include "shim_internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

/* The state whose script code this OS thread runs now; NULL between runs. */
static __thread sg_control *volatile current_control;

void sg_arm_thread(sg_control *c, lua_State *L) {
    int count = c->limit != SG_LIMIT_NONE ? 1 : c->instructions;
    /* Setting a hook restarts its count: threads that switch more often than every `count`
       instructions would never reach it. */
    if (lua_gethook(L) == sg_deadline_hook && lua_gethookcount(L) == count) return;
    lua_sethook(L, sg_deadline_hook, LUA_MASKCOUNT, count);
}

void sg_arm(sg_control *c) {
    if (!c->late_hook) return;
    c->armed = 1;
    atomic_signal_fence(memory_order_seq_cst);
    lua_State *L = c->running;
    if (L != NULL) sg_arm_thread(c, L);
}

static void on_interrupt(int signo) {
    (void)signo;
    int saved_errno = errno;
    sg_control *c = current_control;
    if (c != NULL) sg_arm(c);
    errno = saved_errno;
}

void sg_switch_to(sg_control *c, lua_State *L, sg_running *saved) {
    saved->control = current_control;
    saved->thread = c->running;
    int starts = saved->control == NULL;
    /* A run starts or resumes: an earlier run's alarm is not this one's. Cleared before the
       thread is published, so that a signal landing from now on is kept. */
    if (starts) c->armed = 0;
    c->running = L;
    atomic_signal_fence(memory_order_seq_cst);
    current_control = c;
    atomic_signal_fence(memory_order_seq_cst);
    if (!c->late_hook) return;
    /* The watchdog signals once, after the deadline; if that was before the publication above,
       the handler saw no run, and the deadline has passed by now. */
    if (starts && (c->limit != SG_LIMIT_NONE || sg_now_ns() >= c->deadline_ns)) c->armed = 1;
    atomic_signal_fence(memory_order_seq_cst);
    if (c->armed) sg_arm_thread(c, L);
}

void sg_switch_back(sg_control *c, const sg_running *saved) {
    c->running = saved->thread;
    atomic_signal_fence(memory_order_seq_cst);
    current_control = saved->control;
    atomic_signal_fence(memory_order_seq_cst);
    if (c->late_hook && c->armed && saved->thread != NULL) sg_arm_thread(c, saved->thread);
}

void sg_leave_main_thread(sg_control *c, const sg_running *saved) {
    /* Tasks made later copy the main thread's hook, and they must start unarmed. */
    if (c->late_hook) lua_sethook(c->running, NULL, 0, 0);
    sg_switch_back(c, saved);
}

static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_result = -1;

static void install_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    install_result = sigaction(SIGURG, &action, NULL);
}

int sg_install_interrupt(void) {
    pthread_once(&install_once, install_handler);
    return install_result;
}

int sg_receive_interrupts(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGURG);
    return pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int sg_interrupt(pthread_t thread) {
    return pthread_kill(thread, SIGURG);
}
