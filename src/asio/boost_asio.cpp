// Boost.Asio's implementation (its .ipp files), compiled once for the whole program: every target
// is built with BOOST_ASIO_SEPARATE_COMPILATION (src/asio/CMakeLists.txt), so Asio's headers only
// declare what is defined here.
//
// Why, besides compiling it once: Asio keeps per-thread state (the recycling cache of coroutine
// frames, the call stacks that tell which io_context and strand a thread is running) in
// thread-local variables, read only by functions of these .ipp files. Inlined into a coroutine,
// such a read can be hoisted by the optimiser above a co_await, and the coroutine resumed on
// another thread then uses the first thread's cache: clang 16 at -O1 does this (LLVM issues
// 47179 and 63022), and two of the HTTP server's threads freed the same frame twice. Compiled
// here, each read is an opaque call that no optimiser can move across a suspension.
#include <boost/asio/impl/src.hpp>
