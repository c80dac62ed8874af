#pragma once

// A throwaway PostgreSQL server for tests: Debian's `postgresql` binaries, a data
// directory in a temporary folder, a free loopback port, password authentication for
// user "rivulet". PostgreSQL refuses to run as root, so under root the server runs as
// "nobody". Stopped (immediately) and deleted when the object goes.

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "testing/process.h"

namespace rivulet::testing {

class PostgresServer {
 public:
  static constexpr const char* kPassword = "s3cret-Pa55word";

  // Starts a server; on failure ok() is false and error() says why.
  PostgresServer() {
    const std::string bin = BinDir();
    if (bin.empty()) {
      error_ =
          "PostgreSQL's server is not installed (Debian: apt-get install postgresql)";
      return;
    }
    dir_ = MakeTempDir("postgres");
    { std::ofstream(dir_ + "/password") << kPassword; }
    if (getuid() == 0) {
      const passwd* nobody = getpwnam("nobody");
      if (nobody == nullptr || chown(dir_.c_str(), nobody->pw_uid, nobody->pw_gid) != 0 ||
          chown((dir_ + "/password").c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
        error_ = "cannot hand " + dir_ + " to user nobody";
        return;
      }
      as_user_ = "runuser -u nobody -- ";
    }
    port_ = FreePort();
    if (!Shell(bin + "/initdb -D " + dir_ + "/data -U rivulet --auth=scram-sha-256 " +
               "--pwfile=" + dir_ + "/password -E UTF8 --no-sync") ||
        !Shell(bin + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/log -w -o \"-p " +
               std::to_string(port_) + " -k " + dir_ +
               " -c listen_addresses=127.0.0.1\" start")) {
      error_ =
          "the server did not start: " + Slurp(dir_ + "/log") + Slurp(dir_ + "/shell");
      return;
    }
    started_ = true;
  }

  ~PostgresServer() {
    if (started_) Shell(BinDir() + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop");
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  bool ok() const { return started_; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }

  // A libpq connection string for database `postgres` as user rivulet.
  std::string Url(const std::string& password = kPassword) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) +
           " dbname=postgres user=rivulet password=" + password;
  }

  // Runs `sql` with psql; its unaligned output, rows on lines, '|' between columns.
  std::string Psql(const std::string& sql) const {
    const std::string file = dir_ + "/query.sql";
    { std::ofstream(file) << sql; }
    const std::string out = dir_ + "/psql.out";
    const std::string command = "PGPASSWORD='" + std::string(kPassword) +
                                "' psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p " +
                                std::to_string(port_) + " -U rivulet -d postgres -f " +
                                file + " > " + out + " 2>&1";
    if (std::system(command.c_str()) != 0) return "psql failed: " + Slurp(out);
    return Slurp(out);
  }

 private:
  static std::string BinDir() {
    const std::filesystem::path root = "/usr/lib/postgresql";
    std::error_code ec;
    std::string found;
    for (const auto& e : std::filesystem::directory_iterator(root, ec)) {
      if (std::filesystem::exists(e.path() / "bin" / "initdb")) {
        found = std::max(found, (e.path() / "bin").string());
      }
    }
    return found;
  }

  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    const bool bound =
        bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0;
    close(fd);
    return bound ? ntohs(address.sin_port) : 0;
  }

  bool Shell(const std::string& command) const {
    const std::string line = as_user_ + command + " >> " + dir_ + "/shell 2>&1";
    return std::system(line.c_str()) == 0;
  }

  std::string dir_;
  std::string as_user_;
  std::string error_;
  int port_ = 0;
  bool started_ = false;
};

}  // namespace rivulet::testing
