// A language-server client for tests and the latency bench: starts `schemac lsp`,
// speaks JSON-RPC with Content-Length framing on its standard input and output, and
// keeps the notifications it receives while waiting for a response.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace schemac::test {

class LspClient {
 public:
  using Json = nlohmann::json;

  explicit LspClient(const std::string& schemac) {
    int to_server[2], from_server[2];
    if (::pipe(to_server) != 0 || ::pipe(from_server) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(to_server[0], 0);
      ::dup2(from_server[1], 1);
      ::close(to_server[1]);
      ::close(from_server[0]);
      ::execl(schemac.c_str(), schemac.c_str(), "lsp", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(to_server[0]);
    ::close(from_server[1]);
    in_ = from_server[0];
    out_ = to_server[1];
  }
  ~LspClient() {
    if (out_ >= 0) ::close(out_);
    if (in_ >= 0) ::close(in_);
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  LspClient(const LspClient&) = delete;
  LspClient& operator=(const LspClient&) = delete;

  void send(const Json& message) {
    std::string body = message.dump();
    std::string out = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    for (std::size_t done = 0; done < out.size();) {
      ssize_t n = ::write(out_, out.data() + done, out.size() - done);
      if (n <= 0) throw std::runtime_error("the server closed its input");
      done += static_cast<std::size_t>(n);
    }
  }
  void notify(const std::string& method, const Json& params) {
    send({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
  }
  // Sends a request and returns the whole response (result or error).
  Json call(const std::string& method, const Json& params = nullptr) {
    int id = ++last_id_;
    Json message = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.is_null()) message["params"] = params;
    send(message);
    for (;;) {
      Json m = receive();
      if (m.contains("id") && m["id"] == id && !m.contains("method")) return m;
      notifications_.push_back(std::move(m));
    }
  }
  // The next publishDiagnostics for `uri` (earlier ones for it are skipped).
  Json diagnostics_for(const std::string& uri) {
    for (;;) {
      while (!notifications_.empty()) {
        Json m = std::move(notifications_.front());
        notifications_.pop_front();
        if (m.value("method", "") == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
          return m["params"]["diagnostics"];
      }
      notifications_.push_back(receive());
    }
  }
  // The exit code after `exit`.
  int wait_exit() {
    ::close(out_);
    out_ = -1;
    int status = 0;
    for (int i = 0; i < 1000; ++i) {
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      ::usleep(10000);
    }
    throw std::runtime_error("the server did not exit within 10 s");
  }

 private:
  Json receive() {
    for (;;) {
      auto header_end = buffer_.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        auto at = buffer_.find("Content-Length:");
        if (at == std::string::npos || at > header_end) throw std::runtime_error("a message without Content-Length");
        std::size_t length = std::stoul(buffer_.substr(at + 15, header_end - at - 15));
        if (buffer_.size() >= header_end + 4 + length) {
          Json m = Json::parse(buffer_.substr(header_end + 4, length));
          buffer_.erase(0, header_end + 4 + length);
          return m;
        }
      }
      pollfd p{in_, POLLIN, 0};
      if (::poll(&p, 1, 20000) <= 0) throw std::runtime_error("no message from the server within 20 s");
      char chunk[65536];
      ssize_t n = ::read(in_, chunk, sizeof chunk);
      if (n <= 0) throw std::runtime_error("the server closed its output");
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  bool exited_ = false;
  int last_id_ = 0;
  std::string buffer_;
  std::deque<Json> notifications_;
};

}  // namespace schemac::test
