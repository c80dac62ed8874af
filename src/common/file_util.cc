#include "common/file_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>

#include "common/env.h"

namespace rivulet {
namespace {

std::string ErrnoText(int err) {
  char buf[256];
  // GNU strerror_r: returns a pointer to the text, which may or may not be `buf`.
  return strerror_r(err, buf, sizeof(buf));
}

Status ErrnoError(int err, std::string_view what, const std::string& path) {
  return Status::IOError(std::string(what) + " " + path + ": " + ErrnoText(err));
}

// ErrnoError, but a missing path is NotFound: for callers to whom absence is an answer.
Status ErrnoErrorOrNotFound(int err, std::string_view what, const std::string& path) {
  Status st = ErrnoError(err, what, path);
  return err == ENOENT ? Status::NotFound(st.message()) : st;
}

Result<std::string> ReadAll(int fd, const std::string& path) {
  std::string out(4096, '\0');
  size_t size = 0;
  while (true) {
    if (size == out.size()) out.resize(out.size() * 2);
    ssize_t n = ::read(fd, out.data() + size, out.size() - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "cannot read", path);
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  out.resize(size);
  return out;
}

Status WriteAll(int fd, std::string_view contents, const std::string& path) {
  while (!contents.empty()) {
    ssize_t n = ::write(fd, contents.data(), contents.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "cannot write", path);
    }
    contents.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

// Each thread draws from its own generator, seeded from the OS once, and again in a
// forked child: otherwise parent and child would produce the same sequence of names.
std::atomic<uint64_t> fork_generation{0};

uint64_t Random64() {
  static std::once_flag at_fork_registered;
  std::call_once(at_fork_registered, [] {
    pthread_atfork(nullptr, nullptr,
                   [] { fork_generation.fetch_add(1, std::memory_order_relaxed); });
  });
  struct Generator {
    std::mt19937_64 engine;
    uint64_t generation = UINT64_MAX;
  };
  thread_local Generator gen;
  uint64_t current = fork_generation.load(std::memory_order_relaxed);
  if (gen.generation != current) {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(),
                       device(), device(), device(), device()};
    gen.engine.seed(seed);
    gen.generation = current;
  }
  return gen.engine();
}

// Renames `from` to `to` unless `to` exists. Returns false (and leaves `from` in place)
// if it does.
Result<bool> RenameNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
    return true;
  }
  int err = errno;
  if (err == EEXIST) return false;
  if (err != EINVAL && err != ENOSYS) {
    return ErrnoError(err, "cannot rename a temporary file to", to);
  }
  // The file system (or kernel) has no RENAME_NOREPLACE. link() never replaces its
  // target; once it succeeded the temporary name is only a second link, and a failure to
  // remove it leaves a hidden file that readers ignore.
  if (::link(from.c_str(), to.c_str()) != 0) {
    err = errno;
    if (err == EEXIST) return false;
    return ErrnoError(err, "cannot link a temporary file to", to);
  }
  ::unlink(from.c_str());
  return true;
}

}  // namespace

// "a/b/c" -> "a/b", "c" -> ".", "/c" -> "/".
std::string ParentDir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string RandomUuid() {
  uint64_t hi = Random64();
  uint64_t lo = Random64();
  hi = (hi & ~uint64_t{0xF000}) | 0x4000;                      // version 4
  lo = (lo & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // variant 10xx
  char buf[37];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF),
                static_cast<unsigned>(hi & 0xFFFF), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  return true;
}

std::optional<std::string_view> TemporaryFileTarget(std::string_view name) {
  constexpr std::string_view kSuffix = ".tmp";
  constexpr size_t kUuid = 36;
  if (name.size() < 1 + 1 + 1 + kUuid + kSuffix.size() || name[0] != '.' ||
      !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  const size_t uuid_start = name.size() - kSuffix.size() - kUuid;
  if (!IsUuid(name.substr(uuid_start, kUuid)) || name[uuid_start - 1] != '.') {
    return std::nullopt;
  }
  return name.substr(1, uuid_start - 2);
}

Status WriteFileAtomic(const std::string& path, std::string_view contents,
                       bool overwrite) {
  return Env::Default()->WriteFileAtomic(path, contents, overwrite);
}

Status RenameFile(const std::string& from, const std::string& to, bool overwrite) {
  if (overwrite) {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoError(errno, "cannot rename a temporary file to", to);
    }
    return Status::OK();
  }
  RIVULET_ASSIGN_OR_RETURN(bool renamed, RenameNoReplace(from, to));
  if (!renamed) return Status::Busy(to + " already exists");
  return Status::OK();
}

Result<int> CreateFileExclusive(const std::string& path) {
  int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return ErrnoError(errno, "cannot create", path);
  return fd;
}

Status WriteFd(int fd, std::string_view contents, const std::string& path) {
  return WriteAll(fd, contents, path);
}

Status SyncFd(int fd, const std::string& path) {
  // fdatasync covers the data and the file size, all a reader needs.
  if (::fdatasync(fd) != 0) return ErrnoError(errno, "cannot sync", path);
  return Status::OK();
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoErrorOrNotFound(errno, "cannot open", path);
  Result<std::string> contents = ReadAll(fd, path);
  ::close(fd);
  return contents;
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "cannot open directory", dir);
  int synced = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (synced != 0) return ErrnoError(err, "cannot sync directory", dir);
  return Status::OK();
}

Status CreateDirs(const std::string& dir) {
  if (dir.empty())
    return Status::InvalidArgument("cannot create a directory: empty path");
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::OK();
    return ErrnoError(EEXIST, "cannot create directory", dir);
  }
  std::vector<std::string> created;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    std::string prefix = dir.substr(0, pos);
    if (prefix.empty() || prefix.back() == '/') continue;  // "/" or "a//b"
    if (::mkdir(prefix.c_str(), 0755) == 0) {
      created.push_back(std::move(prefix));
      continue;
    }
    int err = errno;
    if (err != EEXIST) return ErrnoError(err, "cannot create directory", prefix);
    if (::stat(prefix.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return ErrnoError(EEXIST, "cannot create directory", prefix);
    }
  }
  for (const std::string& d : created) RIVULET_RETURN_NOT_OK(FsyncDir(ParentDir(d)));
  return Status::OK();
}

Result<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoErrorOrNotFound(errno, "cannot list directory", dir);
  std::vector<std::string> names;
  while (true) {
    errno = 0;
    const dirent* entry = ::readdir(d);
    if (entry == nullptr) break;
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return ErrnoError(err, "cannot list directory", dir);
  return names;
}

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoError(errno, "cannot remove", path);
  }
  return Status::OK();
}

Result<std::unique_ptr<FileLock>> FileLock::Acquire(const std::string& path,
                                                    std::string_view holder_description) {
  // Never through a symbolic link, and only a regular file: the holder's text is written
  // into it, and a link would make that overwrite whatever file it points at.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0 && errno == ELOOP) {
    return Status::IOError("cannot open lock file " + path +
                           ": it is a symbolic link; remove it (a lock file is created "
                           "where missing)");
  }
  if (fd < 0) return ErrnoError(errno, "cannot open lock file", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IOError("cannot open lock file " + path + ": not a regular file");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err != EWOULDBLOCK) {
      ::close(fd);
      return ErrnoError(err, "cannot lock", path);
    }
    Result<std::string> holder = ReadAll(fd, path);
    ::close(fd);
    if (!holder.ok() || holder->empty()) {
      return Status::Busy(path + " is locked by another process");
    }
    return Status::Busy(std::move(*holder));
  }
  // Truncate first: a contender that reads in between sees an empty file, not a mix of
  // this holder's text and the previous one's.
  std::string text =
      std::string(holder_description) + " (pid " + std::to_string(::getpid()) + ")";
  if (::ftruncate(fd, 0) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoError(err, "cannot write lock file", path);
  }
  Status written = WriteAll(fd, text, path);
  if (!written.ok()) {
    ::close(fd);
    return written;
  }
  return std::unique_ptr<FileLock>(new FileLock(path, fd));
}

FileLock::~FileLock() { ::close(fd_); }

}  // namespace rivulet
