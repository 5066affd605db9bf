// A mutex Clang's thread-safety analysis (-Wthread-safety, on in every
// build) understands: std::mutex carries no capability attributes in
// libstdc++, so members guarded by one are not checked. Annotate shared
// members with LARCH_GUARDED_BY(mu_) and lock with MutexLock:
//   mutable larch::Mutex mu_;
//   std::vector<void*> idle_ LARCH_GUARDED_BY(mu_);
//   { larch::MutexLock lock(mu_); idle_.push_back(h); }
// The attribute macros follow Abseil's (and Clang's documentation) names.
//
// Thread safety: Mutex is a plain non-recursive mutex; MutexLock is for one
// scope on one thread.
#ifndef LARCH_COMMON_MUTEX_H_
#define LARCH_COMMON_MUTEX_H_

#include <mutex>

#if defined(__clang__)
#define LARCH_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define LARCH_THREAD_ANNOTATION_(x)
#endif

#define LARCH_CAPABILITY(name) LARCH_THREAD_ANNOTATION_(capability(name))
#define LARCH_SCOPED_CAPABILITY LARCH_THREAD_ANNOTATION_(scoped_lockable)
#define LARCH_GUARDED_BY(mu) LARCH_THREAD_ANNOTATION_(guarded_by(mu))
#define LARCH_PT_GUARDED_BY(mu) LARCH_THREAD_ANNOTATION_(pt_guarded_by(mu))
#define LARCH_REQUIRES(...) LARCH_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define LARCH_EXCLUDES(...) LARCH_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
#define LARCH_ACQUIRE(...) LARCH_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define LARCH_RELEASE(...) LARCH_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))

namespace larch {

class LARCH_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() LARCH_ACQUIRE() { mu_.lock(); }
  void Unlock() LARCH_RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

// Holds `mu` for the enclosing scope.
class LARCH_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) LARCH_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() LARCH_RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace larch

#endif  // LARCH_COMMON_MUTEX_H_
