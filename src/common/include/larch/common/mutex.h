// A mutex Clang's thread-safety analysis (-Wthread-safety, on in every
// build) understands: std::mutex carries no capability attributes in
// libstdc++, so members guarded by one are not checked. Annotate shared
// members with LARCH_GUARDED_BY(mu_) and lock with MutexLock:
//   mutable larch::Mutex mu_;
//   std::vector<void*> idle_ LARCH_GUARDED_BY(mu_);
//   { larch::MutexLock lock(mu_); idle_.push_back(h); }
// CondVar waits on a held Mutex (the analysis checks that it is held):
//   larch::MutexLock lock(mu_);
//   while (idle_.empty()) cv_.Wait(mu_);
// The attribute macros follow Abseil's (and Clang's documentation) names.
//
// Thread safety: Mutex is a plain non-recursive mutex; MutexLock is for one
// scope on one thread; CondVar may be waited on and notified from any
// thread.
#ifndef LARCH_COMMON_MUTEX_H_
#define LARCH_COMMON_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>

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
  friend class CondVar;
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

// A condition variable over Mutex. Each wait atomically releases `mu`
// (which the caller holds), blocks, and holds `mu` again on return; wake-ups
// may be spurious, so callers re-check their condition.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void Wait(Mutex& mu) LARCH_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }

  // Returns false when `deadline` passed, true when woken before it.
  template <typename Clock, typename Duration>
  bool WaitUntil(Mutex& mu, const std::chrono::time_point<Clock, Duration>& deadline)
      LARCH_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const bool woken = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }

  // Waits until `done()` is true or `timeout` has passed; returns done().
  // `done` runs with `mu` held, but the analysis cannot see that inside a
  // lambda; a condition on guarded members is a loop around WaitUntil.
  template <typename Rep, typename Period, typename Predicate>
  bool WaitFor(Mutex& mu, const std::chrono::duration<Rep, Period>& timeout, Predicate done)
      LARCH_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const bool result = cv_.wait_for(lock, timeout, std::move(done));
    lock.release();
    return result;
  }

  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace larch

#endif  // LARCH_COMMON_MUTEX_H_
