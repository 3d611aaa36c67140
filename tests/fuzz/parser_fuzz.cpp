// libFuzzer target: any bytes as a .schema file. The front end must report errors
// or succeed; it must never crash, hang or read out of bounds. When the input
// compiles, fmt's canonical form must compile to the same model.
#include <cstddef>
#include <cstdint>
#include <string>

#include "driver/compile.hpp"
#include "emit/format.hpp"
#include "emit/sql.hpp"
#include "plan/plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  schemac::Diagnostics diags;
  auto loaded = schemac::compile_sources({{"fuzz.schema", text}}, diags);
  (void)diags.render();
  if (diags.has_errors()) return 0;
  (void)schemac::plan::full_state_sql(loaded.model);
  std::string canonical = schemac::emit::format_file(loaded.files[0].ast, text);
  schemac::Diagnostics again;
  auto reparsed = schemac::compile_sources({{"fuzz.schema", canonical}}, again);
  if (again.has_errors() || !(reparsed.model == loaded.model)) __builtin_trap();
  return 0;
}
