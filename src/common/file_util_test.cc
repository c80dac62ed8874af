#include "common/file_util.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "testing/assert_status.h"

// Fault injection: the test binary defines these libc functions, so the calls that
// file_util.cc makes land here first. While `injected` names the function, it fails with
// the errno mapped to it; otherwise it forwards to the real one.
namespace {

std::map<std::string, int> injected;
std::vector<std::string> fsynced_paths;  // every path fsync was called on, in order

bool Inject(const char* name) {
  auto it = injected.find(name);
  if (it == injected.end()) return false;
  errno = it->second;
  return true;
}

template <typename Fn>
Fn Real(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

std::string FdPath(int fd) {
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  char target[4096];
  ssize_t n = readlink(link, target, sizeof(target));
  return n < 0 ? std::string() : std::string(target, static_cast<size_t>(n));
}

}  // namespace

extern "C" {

int fdatasync(int fd) {
  if (Inject("fdatasync")) return -1;
  return Real<int (*)(int)>("fdatasync")(fd);
}

int fsync(int fd) {
  fsynced_paths.push_back(FdPath(fd));
  if (Inject("fsync")) return -1;
  return Real<int (*)(int)>("fsync")(fd);
}

int renameat2(int olddirfd, const char* oldpath, int newdirfd, const char* newpath,
              unsigned int flags) {
  if (Inject("renameat2")) return -1;
  return Real<int (*)(int, const char*, int, const char*, unsigned int)>("renameat2")(
      olddirfd, oldpath, newdirfd, newpath, flags);
}

int link(const char* oldpath, const char* newpath) {
  if (Inject("link")) return -1;
  return Real<int (*)(const char*, const char*)>("link")(oldpath, newpath);
}

int close(int fd) {
  int result = Real<int (*)(int)>("close")(fd);
  if (Inject("close")) return -1;  // like a network file system reporting a late error
  return result;
}

struct dirent* readdir(DIR* dir) {
  if (Inject("readdir")) return nullptr;
  return Real<struct dirent* (*)(DIR*)>("readdir")(dir);
}

int flock(int fd, int operation) {
  if (Inject("flock")) return -1;
  return Real<int (*)(int, int)>("flock")(fd, operation);
}

int ftruncate(int fd, off_t length) {
  if (Inject("ftruncate")) return -1;
  return Real<int (*)(int, off_t)>("ftruncate")(fd, length);
}

}  // extern "C"

namespace rivulet {
namespace {

class FileUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ =
        (std::filesystem::temp_directory_path() / "file_util_test.XXXXXX");
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    injected.clear();
    std::filesystem::remove_all(dir_);
  }

  void InjectFailure(const char* function, int err) { injected[function] = err; }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      names.push_back(e.path().filename());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  static void WriteRaw(const std::string& path, const std::string& contents) {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(contents.data(), 1, contents.size(), f);
    std::fclose(f);
  }

  std::string dir_;
};

// Runs `body` in a forked child and returns its exit status (or 128 + the signal).
int RunInChild(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(FileUtilTest, WriteFileAtomicWritesExactlyTheContents) {
  ASSERT_OK(WriteFileAtomic(Path("f"), "v1\n{\"a\":1}", /*overwrite=*/false));
  EXPECT_EQ(*ReadFile(Path("f")), "v1\n{\"a\":1}");
}

TEST_F(FileUtilTest, WriteFileAtomicLeavesNoTemporaryFiles) {
  ASSERT_OK(WriteFileAtomic(Path("0"), "a", false));
  ASSERT_OK(WriteFileAtomic(Path("1"), "b", true));
  ASSERT_OK(WriteFileAtomic(Path("1"), "c", true));
  EXPECT_EQ(WriteFileAtomic(Path("0"), "d", false).code(), StatusCode::kBusy);
  EXPECT_EQ(Names(), (std::vector<std::string>{"0", "1"}));
}

TEST_F(FileUtilTest, WriteFileAtomicWithoutOverwriteNeverReplacesAnExistingFile) {
  ASSERT_OK(WriteFileAtomic(Path("3"), "first", false));
  Status st = WriteFileAtomic(Path("3"), "second", false);
  EXPECT_EQ(st.code(), StatusCode::kBusy);
  EXPECT_EQ(st.message(), Path("3") + " already exists");
  EXPECT_EQ(*ReadFile(Path("3")), "first");
  EXPECT_EQ(Names(), (std::vector<std::string>{"3"}));
}

TEST_F(FileUtilTest, WriteFileAtomicWithOverwriteReplacesTheFile) {
  ASSERT_OK(WriteFileAtomic(Path("f"), "first", true));
  ASSERT_OK(WriteFileAtomic(Path("f"), "second", true));
  EXPECT_EQ(*ReadFile(Path("f")), "second");
}

TEST_F(FileUtilTest, WriteFileAtomicSyncsTheDirectoryLast) {
  fsynced_paths.clear();
  ASSERT_OK(WriteFileAtomic(Path("f"), "x", false));
  EXPECT_EQ(fsynced_paths, std::vector<std::string>{dir_});
}

TEST_F(FileUtilTest, WriteFileAtomicFallsBackToLinkWithoutRenameNoReplace) {
  for (int err : {EINVAL, ENOSYS}) {
    SCOPED_TRACE(err);
    std::filesystem::remove(Path("f"));
    InjectFailure("renameat2", err);
    ASSERT_OK(WriteFileAtomic(Path("f"), "first", false));
    Status st = WriteFileAtomic(Path("f"), "second", false);
    EXPECT_EQ(st.ToString(), "Busy: " + Path("f") + " already exists");
    EXPECT_EQ(*ReadFile(Path("f")), "first");
    EXPECT_EQ(Names(), (std::vector<std::string>{"f"}));
  }
}

TEST_F(FileUtilTest, WriteFileAtomicIntoAMissingDirectoryIsAnIOError) {
  Status st = WriteFileAtomic(Path("missing/f"), "x", false);
  EXPECT_EQ(st.ToString(), "I/O error: cannot create a temporary file for " +
                               Path("missing/f") + ": No such file or directory");
}

TEST_F(FileUtilTest, WriteFileAtomicRejectsADirectoryPath) {
  EXPECT_EQ(WriteFileAtomic(dir_ + "/", "x", false).ToString(),
            "Invalid argument: cannot write " + dir_ + "/: not a file path");
}

TEST_F(FileUtilTest, AFailedWriteRemovesTheTemporaryFile) {
  // The file size limit makes write() fail with EFBIG after 4 bytes.
  int code = RunInChild([&] {
    signal(SIGXFSZ, SIG_IGN);
    rlimit limit{4, 4};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return 10;
    Status st = WriteFileAtomic(Path("f"), "0123456789", false);
    if (st.ToString() != "I/O error: cannot write " + Path("f") + ": File too large") {
      return 11;
    }
    return Names().empty() ? 0 : 12;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(FileUtilTest, AFailedSyncRemovesTheTemporaryFile) {
  InjectFailure("fdatasync", EIO);
  Status st = WriteFileAtomic(Path("f"), "x", false);
  EXPECT_EQ(st.ToString(),
            "I/O error: cannot sync " + Path("f") + ": Input/output error");
  EXPECT_TRUE(Names().empty());
}

TEST_F(FileUtilTest, AFailedCloseRemovesTheTemporaryFile) {
  InjectFailure("close", EIO);
  Status st = WriteFileAtomic(Path("f"), "x", false);
  injected.clear();
  EXPECT_EQ(st.ToString(),
            "I/O error: cannot close " + Path("f") + ": Input/output error");
  EXPECT_TRUE(Names().empty());
}

TEST_F(FileUtilTest, AFailedRenameRemovesTheTemporaryFile) {
  // rename() cannot replace a non-empty directory with a file.
  std::filesystem::create_directories(Path("f/child"));
  Status st = WriteFileAtomic(Path("f"), "x", true);
  EXPECT_EQ(st.ToString(), "I/O error: cannot rename a temporary file to " + Path("f") +
                               ": Is a directory");
  EXPECT_EQ(Names(), (std::vector<std::string>{"f"}));

  InjectFailure("renameat2", EPERM);
  st = WriteFileAtomic(Path("g"), "x", false);
  EXPECT_EQ(st.ToString(), "I/O error: cannot rename a temporary file to " + Path("g") +
                               ": Operation not permitted");
  EXPECT_EQ(Names(), (std::vector<std::string>{"f"}));
}

TEST_F(FileUtilTest, AFailedLinkFallbackRemovesTheTemporaryFile) {
  InjectFailure("renameat2", EINVAL);
  InjectFailure("link", EMLINK);
  Status st = WriteFileAtomic(Path("f"), "x", false);
  EXPECT_EQ(st.ToString(), "I/O error: cannot link a temporary file to " + Path("f") +
                               ": Too many links");
  EXPECT_TRUE(Names().empty());
}

TEST_F(FileUtilTest, AFailedDirectorySyncIsReportedAfterTheRename) {
  InjectFailure("fsync", EIO);
  Status st = WriteFileAtomic(Path("f"), "x", false);
  EXPECT_EQ(st.ToString(),
            "I/O error: cannot sync directory " + dir_ + ": Input/output error");
  // The file is in place but not known to be durable; callers must treat it as unwritten.
  EXPECT_EQ(Names(), (std::vector<std::string>{"f"}));
}

TEST_F(FileUtilTest, ReadFileReadsLargeFilesWhole) {
  std::string big(100000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_OK(WriteFileAtomic(Path("big"), big, false));
  EXPECT_EQ(*ReadFile(Path("big")), big);
  ASSERT_OK(WriteFileAtomic(Path("empty"), "", false));
  EXPECT_EQ(*ReadFile(Path("empty")), "");
}

TEST_F(FileUtilTest, ReadFileOfAMissingFileIsNotFound) {
  Result<std::string> r = ReadFile(Path("nope"));
  EXPECT_EQ(r.status().ToString(),
            "Not found: cannot open " + Path("nope") + ": No such file or directory");
}

TEST_F(FileUtilTest, ReadFileOfADirectoryIsAnIOError) {
  EXPECT_EQ(ReadFile(dir_).status().ToString(),
            "I/O error: cannot read " + dir_ + ": Is a directory");
}

TEST_F(FileUtilTest, FsyncDirReportsItsErrors) {
  EXPECT_OK(FsyncDir(dir_));
  EXPECT_EQ(
      FsyncDir(Path("nope")).ToString(),
      "I/O error: cannot open directory " + Path("nope") + ": No such file or directory");
  InjectFailure("fsync", EIO);
  EXPECT_EQ(FsyncDir(dir_).ToString(),
            "I/O error: cannot sync directory " + dir_ + ": Input/output error");
}

TEST_F(FileUtilTest, CreateDirsCreatesMissingParentsAndSyncsTheirParents) {
  fsynced_paths.clear();
  ASSERT_OK(CreateDirs(Path("a/b//c/")));
  EXPECT_TRUE(std::filesystem::is_directory(Path("a/b/c")));
  EXPECT_EQ(fsynced_paths, (std::vector<std::string>{dir_, Path("a"), Path("a/b")}));

  fsynced_paths.clear();
  ASSERT_OK(CreateDirs(Path("a/b/c")));
  EXPECT_TRUE(fsynced_paths.empty());
}

TEST_F(FileUtilTest, CreateDirsOverAFileFails) {
  WriteRaw(Path("f"), "x");
  EXPECT_EQ(CreateDirs(Path("f")).ToString(),
            "I/O error: cannot create directory " + Path("f") + ": File exists");
  EXPECT_EQ(CreateDirs(Path("f/sub")).ToString(),
            "I/O error: cannot create directory " + Path("f") + ": File exists");
}

TEST_F(FileUtilTest, CreateDirsReportsMkdirAndSyncErrors) {
  std::string long_name(300, 'n');
  EXPECT_EQ(
      CreateDirs(Path(long_name)).ToString(),
      "I/O error: cannot create directory " + Path(long_name) + ": File name too long");
  EXPECT_EQ(CreateDirs("").ToString(),
            "Invalid argument: cannot create a directory: empty path");
  InjectFailure("fsync", EIO);
  EXPECT_EQ(CreateDirs(Path("x")).ToString(),
            "I/O error: cannot sync directory " + dir_ + ": Input/output error");
}

TEST_F(FileUtilTest, ListDirListsNamesWithoutDots) {
  WriteRaw(Path("b"), "");
  WriteRaw(Path(".hidden"), "");
  std::filesystem::create_directory(Path("sub"));
  Result<std::vector<std::string>> names = ListDir(dir_);
  ASSERT_OK(names);
  std::sort(names->begin(), names->end());
  EXPECT_EQ(*names, (std::vector<std::string>{".hidden", "b", "sub"}));
}

TEST_F(FileUtilTest, ListDirReportsItsErrors) {
  EXPECT_EQ(
      ListDir(Path("nope")).status().ToString(),
      "Not found: cannot list directory " + Path("nope") + ": No such file or directory");
  WriteRaw(Path("f"), "");
  EXPECT_EQ(ListDir(Path("f")).status().ToString(),
            "I/O error: cannot list directory " + Path("f") + ": Not a directory");
  InjectFailure("readdir", EIO);
  EXPECT_EQ(ListDir(dir_).status().ToString(),
            "I/O error: cannot list directory " + dir_ + ": Input/output error");
}

TEST_F(FileUtilTest, RemoveFileToleratesAMissingFile) {
  WriteRaw(Path("f"), "x");
  EXPECT_OK(RemoveFile(Path("f")));
  EXPECT_TRUE(Names().empty());
  EXPECT_OK(RemoveFile(Path("f")));
  std::filesystem::create_directory(Path("d"));
  EXPECT_EQ(RemoveFile(Path("d")).ToString(),
            "I/O error: cannot remove " + Path("d") + ": Is a directory");
}

TEST(RandomUuidTest, IsAVersion4UuidAndUnique) {
  std::regex shape(
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = RandomUuid();
    ASSERT_TRUE(std::regex_match(id, shape)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RandomUuidTest, AForkedChildDrawsADifferentSequence) {
  (void)RandomUuid();  // the parent's generator is seeded before the fork
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    std::string id = RandomUuid();
    _exit(write(fds[1], id.data(), id.size()) == 36 ? 0 : 1);
  }
  std::string mine = RandomUuid();
  char buf[36];
  ASSERT_EQ(read(fds[0], buf, sizeof(buf)), 36);
  ::close(fds[0]);
  ::close(fds[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_NE(std::string(buf, 36), mine);
}

TEST_F(FileUtilTest, FileLockRecordsItsHolder) {
  Result<std::unique_ptr<FileLock>> lock = FileLock::Acquire(Path("lock"), "held by me");
  ASSERT_OK(lock);
  EXPECT_EQ((*lock)->path(), Path("lock"));
  EXPECT_EQ(*ReadFile(Path("lock")), "held by me (pid " + std::to_string(getpid()) + ")");
}

TEST_F(FileUtilTest, FileLockNeverWritesThroughASymbolicLinkOrIntoANonRegularFile) {
  ASSERT_OK(WriteFileAtomic(Path("precious"), "do not touch", /*overwrite=*/false));
  std::filesystem::create_symlink(Path("precious"), Path("lock"));
  EXPECT_EQ(
      FileLock::Acquire(Path("lock"), "x").status().ToString(),
      "I/O error: cannot open lock file " + Path("lock") +
          ": it is a symbolic link; remove it (a lock file is created where missing)");
  EXPECT_EQ(*ReadFile(Path("precious")), "do not touch");
  ASSERT_EQ(::mkfifo(Path("fifo").c_str(), 0644), 0);
  EXPECT_EQ(FileLock::Acquire(Path("fifo"), "x").status().ToString(),
            "I/O error: cannot open lock file " + Path("fifo") + ": not a regular file");
}

TEST_F(FileUtilTest, FileLockRefusesASecondHolderInTheSameProcess) {
  auto first = FileLock::Acquire(Path("lock"), "in use by the first");
  ASSERT_OK(first);
  auto second = FileLock::Acquire(Path("lock"), "in use by the second");
  EXPECT_EQ(second.status().ToString(),
            "Busy: in use by the first (pid " + std::to_string(getpid()) + ")");
  first->reset();
  EXPECT_OK(FileLock::Acquire(Path("lock"), "in use by the second"));
}

TEST_F(FileUtilTest, FileLockRefusesAHolderInAnotherProcess) {
  auto lock = FileLock::Acquire(Path("lock"), "in use by the parent");
  ASSERT_OK(lock);
  std::string expected =
      "Busy: in use by the parent (pid " + std::to_string(getpid()) + ")";
  int code = RunInChild([&] {
    auto other = FileLock::Acquire(Path("lock"), "in use by the child");
    return other.status().ToString() == expected ? 0 : 1;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(FileUtilTest, FileLockIsReleasedWhenItsHolderIsKilled) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  if (pid == 0) {
    auto lock = FileLock::Acquire(Path("lock"), "in use by the child");
    char c = lock.ok() ? '1' : '0';
    if (write(ready[1], &c, 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, '1');
  EXPECT_EQ(FileLock::Acquire(Path("lock"), "parent").status().ToString(),
            "Busy: in use by the child (pid " + std::to_string(pid) + ")");
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  EXPECT_OK(FileLock::Acquire(Path("lock"), "parent"));
}

TEST_F(FileUtilTest, FileLockIsNotInheritedAcrossExec) {
  auto lock = FileLock::Acquire(Path("lock"), "parent");
  ASSERT_OK(lock);
  // The pipe's write end is close-on-exec too: end of file on it means the child exec'd.
  int exec_done[2];
  ASSERT_EQ(pipe2(exec_done, O_CLOEXEC), 0);
  pid_t pid = fork();
  if (pid == 0) {
    execlp("sleep", "sleep", "30", static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(exec_done[1]);
  char c;
  ASSERT_EQ(read(exec_done[0], &c, 1), 0);
  ::close(exec_done[0]);
  lock->reset();
  // The exec'd child still runs, but the close-on-exec descriptor did not survive exec.
  auto again = FileLock::Acquire(Path("lock"), "parent again");
  EXPECT_OK(again);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

TEST_F(FileUtilTest, FileLockWithoutHolderTextNamesTheFile) {
  auto lock = FileLock::Acquire(Path("lock"), "holder");
  ASSERT_OK(lock);
  ASSERT_EQ(truncate(Path("lock").c_str(), 0),
            0);  // as between the holder's truncate and write
  EXPECT_EQ(FileLock::Acquire(Path("lock"), "other").status().ToString(),
            "Busy: " + Path("lock") + " is locked by another process");
}

TEST_F(FileUtilTest, FileLockReportsItsErrors) {
  EXPECT_EQ(FileLock::Acquire(Path("missing/lock"), "x").status().ToString(),
            "I/O error: cannot open lock file " + Path("missing/lock") +
                ": No such file or directory");
  InjectFailure("flock", ENOLCK);
  EXPECT_EQ(FileLock::Acquire(Path("lock"), "x").status().ToString(),
            "I/O error: cannot lock " + Path("lock") + ": No locks available");
  injected.clear();
  InjectFailure("ftruncate", EIO);
  EXPECT_EQ(FileLock::Acquire(Path("lock"), "x").status().ToString(),
            "I/O error: cannot write lock file " + Path("lock") + ": Input/output error");
  injected.clear();
  int code = RunInChild([&] {
    signal(SIGXFSZ, SIG_IGN);
    rlimit limit{0, 0};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return 10;
    auto lock = FileLock::Acquire(Path("lock"), "x");
    return lock.status().ToString() ==
                   "I/O error: cannot write " + Path("lock") + ": File too large"
               ? 0
               : 11;
  });
  EXPECT_EQ(code, 0);
  // A failed acquisition releases the lock.
  EXPECT_OK(FileLock::Acquire(Path("lock"), "x"));
}

}  // namespace
}  // namespace rivulet
