// report.html and study.html of the demo study as a person sees them: opened in headless
// Chromium (Debian's `chromium`) at a 1280 px window, every image must load, nothing may be wider
// than the window and the page must log no error. Skipped, with a message, without chromium.
#include <filesystem>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/test_support.hpp"

namespace fs = std::filesystem;
using mgscope::test::read_all;
using mgscope::test::run_command;
using mgscope::test::run_mgscope;

namespace {

bool have_chromium() { return std::system("command -v chromium >/dev/null 2>&1") == 0; }

// Caught before the page's own content: script errors, failed resources, console.error.
const char* kHeadProbe = R"(<script>
window.__problems = [];
window.addEventListener('error', function (e) {
  window.__problems.push('error: ' + (e.message || (e.target && e.target.tagName) || 'unknown'));
}, true);
(function () {
  var original = console.error;
  console.error = function () {
    window.__problems.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
    original.apply(console, arguments);
  };
})();
</script>)";

// After load: the checks, written into the page so that --dump-dom carries them out.
const char* kTailProbe = R"(<script>
window.addEventListener('load', function () {
  var problems = window.__problems.slice();
  var images = document.images;
  for (var i = 0; i < images.length; ++i)
    if (!images[i].complete || images[i].naturalWidth === 0) problems.push('image ' + i + ' did not load');
  var width = document.documentElement.clientWidth;  // the window less its scroll bar
  if (document.documentElement.scrollWidth > width)
    problems.push('page is ' + document.documentElement.scrollWidth + ' px wide, window ' + width + ' px');
  var all = document.body.getElementsByTagName('*');
  for (var k = 0; k < all.length && problems.length < 20; ++k) {
    // In a narrow window a table too wide scrolls inside its box (.wide), as it should.
    var box = all[k].closest('.wide');
    if (window.__narrow && box && box !== all[k] && box.scrollWidth > box.clientWidth) continue;
    var r = all[k].getBoundingClientRect();
    if (r.right > width + 0.5) problems.push(all[k].tagName + ' reaches ' + Math.round(r.right) + ' px');
  }
  // A table scrolled sideways keeps its row headings (the quantity names) in view.
  var boxes = document.querySelectorAll('.wide');
  for (var b = 0; window.__narrow && b < boxes.length; ++b) {
    if (boxes[b].scrollWidth <= boxes[b].clientWidth) continue;
    boxes[b].scrollLeft = boxes[b].scrollWidth;
    var left = boxes[b].getBoundingClientRect().left;
    var headings = boxes[b].querySelectorAll('tr > th:first-child');
    for (var h = 0; h < headings.length; ++h)
      if (headings[h].getBoundingClientRect().left < left - 1) {
        problems.push('table ' + b + ' scrolled sideways hides its row headings');
        break;
      }
  }
  // A phone: the page says how to lay it out (else it is laid out 980 px wide and shrunk), and a
  // module's table of quantity, value and unit fits the screen (the unit column was past its edge).
  if (window.__phone && !document.querySelector('meta[name="viewport"][content*="width=device-width"]'))
    problems.push('no viewport line');
  for (var t = 0; window.__phone && t < boxes.length; ++t) {
    var last = boxes[t].querySelector('tr > th:last-child');
    if (last && last.textContent === 'Unit' && boxes[t].scrollWidth > boxes[t].clientWidth)
      problems.push('table ' + t + ' has its unit column past the screen');
  }
  // On paper a folded list cannot be opened: its warnings must print.
  var folded = document.querySelectorAll('.warnings details li');
  for (var d = 0; window.__asPrinted && d < folded.length; ++d)
    if (!folded[d].checkVisibility()) problems.push('folded warning ' + d + ' is not printed');
  var out = document.createElement('pre');
  out.textContent = 'MGSCOPE-CHECKS images=' + images.length + ' width=' + width + '\n' +
                    problems.join('\n') + '\nMGSCOPE-END';
  document.body.appendChild(out);
  // Looked at in a frame of the looks page (check_in_chromium): the results go up to it.
  if (window.parent !== window) window.parent.postMessage({look: window.__look, text: out.textContent}, '*');
});
</script>)";

struct PageChecks {
  int images = -1;
  int width = -1;
  std::vector<std::string> problems;
  std::string raw;  // chromium's output when the checks did not come back
};

// How a page is looked at: in a window `width_px` wide; `as_printed` applies the page's print rules
// on screen (a sheet of A4 less Chromium's margins is about 717 px), so that what would be cut off on
// paper is seen.
struct Look {
  fs::path page;
  int width_px = 1280;
  bool as_printed = false;
};

// The checks of each look, in one Chromium start (a start is ~3-6 s of the suite's time, most of it
// waiting): a probed copy of each page, beside it so that relative links still resolve, is opened in
// a frame of the look's width on a page of frames, and each frame's probe posts its results up to
// that page, which --dump-dom prints. A frame is its own viewport: its width, scroll bar and media
// queries are those of a window that wide.
std::vector<PageChecks> check_in_chromium(const std::vector<Look>& looks, const fs::path& dir) {
  std::string frames;
  std::vector<fs::path> probed;
  for (std::size_t k = 0; k < looks.size(); ++k) {
    const Look& look = looks[k];
    std::string html = read_all(look.page);
    for (std::size_t at = html.find("@media print"); look.as_printed && at != std::string::npos;
         at = html.find("@media print"))
      html.replace(at, 12, "@media all");
    std::string flags = "<script>window.__look = " + std::to_string(k) + ";";
    if (look.as_printed) flags += " window.__asPrinted = true;";
    if (look.width_px < 1000) flags += " window.__narrow = true;";
    if (look.width_px <= 400) flags += " window.__phone = true;";
    html.replace(html.find("<head>"), 6, "<head>" + flags + "</script>" + kHeadProbe);
    html.replace(html.rfind("</body>"), 7, std::string(kTailProbe) + "</body>");
    probed.push_back(look.page.parent_path() / ("probed_" + std::to_string(k) + "_" + look.page.filename().string()));
    FILE* f = std::fopen(probed.back().string().c_str(), "wb");
    std::fwrite(html.data(), 1, html.size(), f);
    std::fclose(f);
    frames += "<iframe src=\"file://" + fs::absolute(probed.back()).string() +
              "\" style=\"display:block;border:0;width:" + std::to_string(look.width_px) +
              "px;height:1000px\"></iframe>\n";
  }
  // The listener comes before the frames: a small page posts before the frames after it have loaded.
  // The marker is put together in the script, so that the page's own source does not hold it.
  const std::string top = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\n"
                          "<script>window.addEventListener('message', function (e) {\n"
                          "  var p = document.createElement('pre');\n"
                          "  p.textContent = 'MGSCOPE-' + 'LOOK ' + e.data.look + '\\n' + e.data.text;\n"
                          "  document.body.appendChild(p);\n});</script></head><body>\n" +
                          frames + "</body></html>\n";
  const fs::path looks_page = dir / "looks.html";
  FILE* f = std::fopen(looks_page.string().c_str(), "wb");
  std::fwrite(top.data(), 1, top.size(), f);
  std::fclose(f);
  const auto r = run_command("timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars=false "
                             "--window-size=1400,1000 --virtual-time-budget=10000 --user-data-dir='" +
                             (dir / "chromium-profile").string() + "' --dump-dom 'file://" +
                             fs::absolute(looks_page).string() + "' 2>/dev/null");
  for (const fs::path& p : probed) fs::remove(p);
  std::vector<PageChecks> checks(looks.size());
  for (std::size_t k = 0; k < looks.size(); ++k) {
    PageChecks& c = checks[k];
    const std::size_t at = r.output.find("MGSCOPE-LOOK " + std::to_string(k) + "\n");
    const std::size_t begin = r.output.find("MGSCOPE-CHECKS images=", at), end = r.output.find("MGSCOPE-END", at);
    if (at == std::string::npos || begin == std::string::npos || end == std::string::npos || end < begin) {
      // The page's dump is at the end of the output, Chromium's own messages before it.
      const std::size_t tail = r.output.size() > 3000 ? r.output.size() - 3000 : 0;
      c.raw = "exit code " + std::to_string(r.exit_code) + ", the output's end:\n" + r.output.substr(tail);
      continue;
    }
    std::smatch m;
    const std::string block = r.output.substr(begin, end - begin);
    if (std::regex_search(block, m, std::regex("images=(\\d+) width=(\\d+)"))) {
      c.images = std::stoi(m[1]);
      c.width = std::stoi(m[2]);
    }
    std::size_t from = block.find('\n');
    while (from != std::string::npos && from + 1 < block.size()) {
      const std::size_t to = block.find('\n', from + 1);
      const std::string line = block.substr(from + 1, to == std::string::npos ? std::string::npos : to - from - 1);
      if (!line.empty()) c.problems.push_back(line);
      from = to;
    }
  }
  return checks;
}

// A link's path as the browser reads it: "%20" is a space.
std::string url_decoded(const std::string& url) {
  std::string out;
  for (std::size_t i = 0; i < url.size(); ++i)
    if (url[i] == '%' && i + 2 < url.size()) {
      out += char(std::stoi(url.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += url[i];
    }
  return out;
}

// Every relative link of the page leads to a file that exists, and every anchor to an id of the
// page it names.
void expect_links_resolve(const fs::path& page, int at_least) {
  const std::string html = read_all(page);
  const std::regex href("href=\"([^\"#]*)(#[^\"]*)?\"");
  int n = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), href); it != std::sregex_iterator(); ++it) {
    const std::string path = (*it)[1].str(), anchor = (*it)[2].str();
    const fs::path target = path.empty() ? page : page.parent_path() / url_decoded(path);
    n += !path.empty();
    EXPECT_TRUE(fs::exists(target)) << page << " links to " << path;
    if (!anchor.empty() && fs::exists(target))
      EXPECT_NE(read_all(target).find("id=\"" + anchor.substr(1) + "\""), std::string::npos)
          << page << " links to " << path << anchor << ", which has no such id";
  }
  EXPECT_GE(n, at_least) << page;
}

// Pages of Chromium's PDF of `page`, counted from its page objects.
int printed_pages(const fs::path& page, const fs::path& profile) {
  const fs::path pdf = page.parent_path() / (page.stem().string() + "_printed.pdf");
  run_command("timeout 120 chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --user-data-dir='" +
              profile.string() + "' --print-to-pdf='" + pdf.string() + "' 'file://" + fs::absolute(page).string() +
              "' 2>/dev/null");
  const std::string bytes = read_all(pdf);
  fs::remove(pdf);
  const std::regex page_object("/Type\\s*/Page[^s]");
  return int(std::distance(std::sregex_iterator(bytes.begin(), bytes.end(), page_object), std::sregex_iterator()));
}

}  // namespace

TEST(ReportInBrowser, DemoStudyPagesLoadFitAndLogNoError) {
  if (!have_chromium())
    GTEST_SKIP() << "chromium is not installed (Debian: apt-get install chromium); pages not checked in a browser";
  // A page with each fault, looked at beside the real pages, so that a pass below means something.
  const fs::path bad_dir = mgscope::test::scratch_dir("report_browser_faults");
  FILE* f = std::fopen((bad_dir / "bad.html").string().c_str(), "wb");
  const std::string bad = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>"
                          "<div style=\"width:2000px\">wide</div><img src=\"data:image/png;base64,AAAA\">"
                          "<script>console.error('broken');</script></body></html>";
  std::fwrite(bad.data(), 1, bad.size(), f);
  std::fclose(f);

  const fs::path study = mgscope::test::copy_demo_study("report_browser");
  const fs::path out = study.parent_path().parent_path() / "out";
  const auto run = run_mgscope("study '" + (study / "study.toml").string() + "' -o '" + out.string() + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;

  // The study page links to the four sample pages, each sample page back to the study.
  expect_links_resolve(out / "study.html", 8);  // contents line and table header, 4 samples each
  const std::vector<fs::path> pages = {out / "study.html", out / "samples" / "ascast" / "report.html",
                                       out / "samples" / "ctc20" / "report.html"};
  for (std::size_t i = 1; i < pages.size(); ++i) {
    expect_links_resolve(pages[i], 1);
    EXPECT_NE(read_all(pages[i]).find("href=\"../../study.html\""), std::string::npos) << pages[i];
  }
  EXPECT_NE(read_all(out / "study.html").find("<details>"), std::string::npos);  // ctc10's two images, folded
  // Every page at 1280 px. A laptop's split screen (800 px): the study's table scrolls in its box, its
  // quantity names stay in view. On paper (717 px, the print rules): nothing past the sheet's width
  // (the study table's scroll box had cut its last sample columns off). The narrow and printed
  // layouts on the study page and one sample page: the sample pages share their layout. A phone (400
  // px): the same, and each module's table fits (a figure's 420 px column had run past the screen).
  std::vector<Look> looks = {{bad_dir / "bad.html"}};
  for (const fs::path& page : pages) looks.push_back({page});
  for (const fs::path& page : {pages[0], pages[1]}) looks.push_back({page, 800});
  for (const fs::path& page : {pages[0], pages[1]}) looks.push_back({page, 400});
  for (const fs::path& page : {pages[0], pages[1]}) looks.push_back({page, 717, true});
  const std::vector<PageChecks> checks = check_in_chromium(looks, out.parent_path());

  const PageChecks& faults = checks[0];
  ASSERT_GE(faults.images, 0) << "the checks did not run; chromium said:\n" << faults.raw;
  std::string all;
  for (const std::string& p : faults.problems) all += p + "\n";
  EXPECT_NE(all.find("image 0 did not load"), std::string::npos) << all;
  EXPECT_NE(all.find("px wide, window"), std::string::npos) << all;
  EXPECT_NE(all.find("DIV reaches"), std::string::npos) << all;
  EXPECT_NE(all.find("console.error: broken"), std::string::npos) << all;
  for (std::size_t k = 1; k < looks.size(); ++k) {
    const PageChecks& c = checks[k];
    const std::string how = looks[k].as_printed ? " as printed" : " at " + std::to_string(looks[k].width_px) + " px";
    ASSERT_GE(c.images, 0) << looks[k].page << how << ": the checks did not run; chromium said:\n" << c.raw;
    for (const std::string& p : c.problems) ADD_FAILURE() << looks[k].page << how << ": " << p;
    if (looks[k].width_px != 1280) continue;
    EXPECT_GT(c.images, 10) << looks[k].page;  // figures embedded as data: URIs
    EXPECT_GE(c.width, 1200) << looks[k].page;
    EXPECT_LE(c.width, 1280) << looks[k].page;
  }
  // Printed: figures two to a row (a figure a page wide had printed each figure on its own page: 33
  // pages for study.html, 34 for a sample's page).
  for (const fs::path& page : {pages[0], pages[1]}) {
    const int sheets = printed_pages(page, out.parent_path() / "chromium-profile");
    EXPECT_GT(sheets, 2) << page;
    EXPECT_LE(sheets, 12) << page;  // 10 and 11 now; 14 with the outputs' lists unfolded
  }
}
