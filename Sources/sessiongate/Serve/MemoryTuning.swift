#if canImport(Glibc)
import Glibc
#endif

/// The C allocator's settings for a long-running gateway.
///
/// glibc grows each thread arena's heap with `mprotect` and gives memory back as soon as a
/// little is free at its top. Under load the gateway's threads allocate and free in waves, so an
/// arena shrank and grew again all the time: 0.07 `mprotect` calls per session cycle
/// (`perf trace`), each followed by page faults on the regrown pages. A 16 MiB pad (grown ahead,
/// kept when trimming) took that to none; pages of the pad that are never touched are never
/// resident. Measured in BENCHMARKS §3 ("The allocator's pad").
enum MemoryTuning {
    static let topPad: Int32 = 16 << 20
    /// `M_TOP_PAD` of `<malloc.h>`.
    private static let topPadParameter: Int32 = -2

    /// `mallopt` is looked up at run time: Swift's Glibc module does not import `<malloc.h>`.
    static func apply() {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(topPadParameter, topPad)
        #endif
    }
}
