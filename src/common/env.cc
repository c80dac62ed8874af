#include "common/env.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rivulet {
namespace {

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Append(std::string_view data) override { return WriteFd(fd_, data, path_); }
  Status Sync() override { return SyncFd(fd_, path_); }
  Status Close() override {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) {
      return Status::IOError("cannot close " + path_ + ": " + std::strerror(errno));
    }
    return Status::OK();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixEnv : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override {
    RIVULET_ASSIGN_OR_RETURN(int fd, CreateFileExclusive(path));
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
  }
  Status RenameFile(const std::string& from, const std::string& to,
                    bool overwrite) override {
    return rivulet::RenameFile(from, to, overwrite);
  }
  Status SyncDir(const std::string& dir) override { return FsyncDir(dir); }
  Result<std::string> ReadFile(const std::string& path) override {
    return rivulet::ReadFile(path);
  }
  Status RemoveFile(const std::string& path) override {
    return rivulet::RemoveFile(path);
  }
  Status CreateDirs(const std::string& dir) override { return rivulet::CreateDirs(dir); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return rivulet::ListDir(dir);
  }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                             std::string_view holder) override {
    return FileLock::Acquire(path, holder);
  }
};

}  // namespace

Env* Env::Default() {
  static Env* env = new PosixEnv;
  return env;
}

Status Env::WriteFileAtomic(const std::string& path, std::string_view contents,
                            bool overwrite) {
  size_t slash = path.find_last_of('/');
  size_t name_start = slash == std::string::npos ? 0 : slash + 1;
  if (name_start == path.size()) {
    return Status::InvalidArgument("cannot write " + path + ": not a file path");
  }
  std::string tmp;
  tmp.reserve(path.size() + 42);
  tmp.append(path, 0, name_start)
      .append(".")
      .append(path, name_start)
      .append(".")
      .append(RandomUuid())
      .append(".tmp");
  // Errors name the file being written, not its temporary name.
  auto named = [&](const Status& st, std::string_view what) {
    std::string message = st.message();
    const std::string from = std::string(what) + tmp;
    if (message.starts_with(from)) {
      message.replace(0, from.size(),
                      what == "cannot create "
                          ? "cannot create a temporary file for " + path
                          : std::string(what) + path);
    }
    return Status(st.code(), std::move(message));
  };
  auto file = NewWritableFile(tmp);
  if (!file.ok()) return named(file.status(), "cannot create ");
  auto fail = [&](const Status& st, std::string_view what) {
    (void)RemoveFile(tmp);
    return named(st, what);
  };
  if (Status st = (*file)->Append(contents); !st.ok()) return fail(st, "cannot write ");
  if (Status st = (*file)->Sync(); !st.ok()) return fail(st, "cannot sync ");
  if (Status st = (*file)->Close(); !st.ok()) return fail(st, "cannot close ");
  if (Status st = RenameFile(tmp, path, overwrite); !st.ok()) return fail(st, "");
  return SyncDir(ParentDir(path));
}

}  // namespace rivulet
