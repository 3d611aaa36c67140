// The language server's incremental parse (syntax::reparse_edit) against a whole
// parse of the edited text: for edits all over every schema of the repository, the
// same spans, doc comments and canonical form.
#include <catch2/catch.hpp>
#include <random>

#include "emit/format.hpp"
#include "support.hpp"
#include "syntax/grammar.hpp"
#include "syntax/shift.hpp"

using namespace schemac;
namespace fs = std::filesystem;

namespace {

std::vector<std::uint32_t> spans_of(ast::File& file) {
  std::vector<std::uint32_t> out;
  for (auto& d : file.declarations)
    syntax::for_each_span(d, [&](ast::Span& s) {
      out.push_back(s.begin);
      out.push_back(s.end);
    });
  return out;
}

std::vector<ast::Doc> docs_of(const ast::File& file) {
  std::vector<ast::Doc> out;
  for (const auto& d : file.declarations) out.push_back(std::visit([](const auto& x) { return x.doc; }, d));
  return out;
}

}  // namespace

TEST_CASE("incremental parse: one declaration re-parsed and the rest moved equals a whole parse") {
  std::mt19937 random(20261203);
  std::size_t files = 0, edits = 0, incremental = 0;
  for (const auto& dir : test::valid_schema_dirs()) {
    for (const auto& path : schema_files(test::source_dir() / dir)) {
      std::string text = read_file(path);
      ast::File parsed;
      if (!syntax::parse_declarations(text, parsed).empty()) continue;
      ++files;
      // Edits at spaces and at letters: a space inserted, a letter doubled, a space removed.
      std::vector<std::uint32_t> places;
      for (std::uint32_t i = 1; i + 1 < text.size(); ++i)
        if (text[i] == ' ' || std::isalpha(static_cast<unsigned char>(text[i]))) places.push_back(i);
      std::shuffle(places.begin(), places.end(), random);
      if (places.size() > 40) places.resize(40);
      for (std::uint32_t at : places) {
        for (int kind = 0; kind < 3; ++kind) {
          std::uint32_t begin = at, end = at;
          std::string replacement;
          if (kind == 0) replacement = " ";
          if (kind == 1) replacement = std::string(2, text[at]), end = at + 1;
          if (kind == 2 && text[at] == ' ') end = at + 1;
          ast::File edited = parsed;
          std::string edited_text = text;
          ++edits;
          if (!syntax::reparse_edit(edited, edited_text, begin, end, replacement)) {
            CHECK(edited_text == text);  // nothing changed when it declines
            continue;
          }
          ++incremental;
          std::string expected_text = text;
          expected_text.replace(begin, end - begin, replacement);
          REQUIRE(edited_text == expected_text);
          ast::File whole;
          INFO(path.string() << " edit at " << at << " kind " << kind);
          REQUIRE(syntax::parse_declarations(expected_text, whole).empty());
          auto got = spans_of(edited), want = spans_of(whole);
          std::size_t first_difference = 0;
          while (first_difference < std::min(got.size(), want.size()) &&
                 got[first_difference] == want[first_difference])
            ++first_difference;
          INFO("first difference at span value " << first_difference << " of " << want.size() << ": "
                                                 << (first_difference < got.size() ? got[first_difference] : 0)
                                                 << " vs "
                                                 << (first_difference < want.size() ? want[first_difference] : 0));
          CHECK(got == want);
          CHECK(docs_of(edited) == docs_of(whole));
          CHECK(emit::format_file(edited, edited_text) == emit::format_file(whole, expected_text));
        }
      }
    }
  }
  CHECK(files >= 20);
  // Most edits fall inside a declaration and are parsed incrementally.
  CHECK(incremental * 2 > edits);
}

TEST_CASE("incremental parse declines what it cannot do alone") {
  std::string text = "table a {\n  id bigint primary key\n}\n\ntable b {\n  id bigint primary key\n}\n";
  ast::File parsed;
  REQUIRE(syntax::parse_declarations(text, parsed).empty());
  auto declines = [&](std::uint32_t begin, std::uint32_t end, const std::string& replacement) {
    ast::File f = parsed;
    std::string t = text;
    return !syntax::reparse_edit(f, t, begin, end, replacement) && t == text;
  };
  CHECK(declines(0, 0, " "));                    // at a declaration's first byte
  CHECK(declines(34, 35, ""));                   // its last byte (the '}')
  CHECK(declines(35, 37, ""));                   // between declarations
  CHECK(declines(20, 50, ""));                   // across two
  CHECK(declines(14, 20, "bigint\n}"));          // a syntax error... and a second '}'
  CHECK(declines(12, 14, "x y z w"));            // a syntax error
  CHECK(declines(12, 12, std::string("\xff")));  // invalid UTF-8
  ast::File f = parsed;
  std::string t = text;
  REQUIRE(syntax::reparse_edit(f, t, 12, 14, "key"));  // the column renamed
  CHECK(t.substr(12, 3) == "key");
  CHECK(std::get<ast::Table>(f.declarations[1]).name.span.begin == 44);
}
