// `schemac lsp`: a Language Server (LSP 3.17, JSON-RPC with Content-Length framing)
// for .schema files. Each file belongs to the schema directory it is in; a directory
// is compiled as a whole, from the editor's unsaved buffers where it has them and
// from disk otherwise. Only the files whose text changed are parsed again.
#pragma once

namespace schemac::lsp {

// Serves one client on the two file descriptors until it says `exit` or closes its
// end. Returns the process's exit code: 0 after shutdown then exit, else 1.
int run_server(int in_fd, int out_fd);

}  // namespace schemac::lsp
