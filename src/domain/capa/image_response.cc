// imageresponse (responsetypes.py ImageResponse): a clicked pixel "[x,y]"
// inside one of the input's rectangles "(x1,y1)-(x2,y2);..." (inclusive) or
// strictly inside the convex hull of one of its regions (JSON point lists;
// shapely's MultiPoint(region).convex_hull.contains, which excludes the
// boundary and needs a hull with area).
#include <algorithm>
#include <array>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/capa/responses.h"
#include "larch/common/json.h"

namespace larch::capa {
namespace {

using Point = std::pair<double, double>;

std::string WithoutSpaces(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ') out += c;
  }
  const auto begin = out.find_first_not_of("\t\n\r\f\v");
  if (begin == std::string::npos) return "";
  return out.substr(begin, out.find_last_not_of("\t\n\r\f\v") - begin + 1);
}

// Reads digits at `at`, advancing it; nullopt when there are none.
std::optional<long> Digits(const std::string& text, std::size_t& at) {
  const std::size_t start = at;
  while (at < text.size() && text[at] >= '0' && text[at] <= '9' && at - start < 9) ++at;
  if (at == start) return std::nullopt;
  return std::strtol(text.substr(start, at - start).c_str(), nullptr, 10);
}

bool Expect(const std::string& text, std::size_t& at, std::string_view chars) {
  if (at >= text.size() || chars.find(text[at]) == std::string_view::npos) return false;
  ++at;
  return true;
}

// "[x,y]" at the start of the answer, as re.match(r'\[([0-9]+),([0-9]+)]').
std::optional<Point> ParseClick(const std::string& text) {
  std::size_t at = 0;
  if (!Expect(text, at, "[")) return std::nullopt;
  const std::optional<long> x = Digits(text, at);
  if (!x || !Expect(text, at, ",")) return std::nullopt;
  const std::optional<long> y = Digits(text, at);
  if (!y || !Expect(text, at, "]")) return std::nullopt;
  return Point(static_cast<double>(*x), static_cast<double>(*y));
}

// "(x1,y1)-(x2,y2)" with ( or [ brackets.
std::optional<std::pair<Point, Point>> ParseRectangle(const std::string& text) {
  std::size_t at = 0;
  std::array<long, 4> v = {0, 0, 0, 0};
  for (std::size_t corner = 0; corner < 2; ++corner) {
    if (corner == 1 && !Expect(text, at, "-")) return std::nullopt;
    if (!Expect(text, at, "([")) return std::nullopt;
    const std::optional<long> x = Digits(text, at);
    if (!x || !Expect(text, at, ",")) return std::nullopt;
    const std::optional<long> y = Digits(text, at);
    if (!y || !Expect(text, at, ")]")) return std::nullopt;
    v[corner * 2] = *x;
    v[corner * 2 + 1] = *y;
  }
  return std::make_pair(Point(static_cast<double>(v[0]), static_cast<double>(v[1])),
                        Point(static_cast<double>(v[2]), static_cast<double>(v[3])));
}

double Cross(const Point& o, const Point& a, const Point& b) {
  return (a.first - o.first) * (b.second - o.second) - (a.second - o.second) * (b.first - o.first);
}

// Andrew's monotone chain; counter-clockwise, collinear points dropped.
std::vector<Point> ConvexHull(std::vector<Point> points) {
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  if (points.size() < 3) return points;
  std::vector<Point> hull(2 * points.size());
  std::size_t k = 0;
  for (const Point& p : points) {
    while (k >= 2 && Cross(hull[k - 2], hull[k - 1], p) <= 0) --k;
    hull[k++] = p;
  }
  for (std::size_t i = points.size() - 1, lower = k + 1; i-- > 0;) {
    while (k >= lower && Cross(hull[k - 2], hull[k - 1], points[i]) <= 0) --k;
    hull[k++] = points[i];
  }
  hull.resize(k - 1);
  return hull;
}

bool StrictlyInside(const std::vector<Point>& hull, const Point& p) {
  if (hull.size() < 3) return false;  // A point or a line: not a Polygon.
  for (std::size_t i = 0; i < hull.size(); ++i) {
    if (Cross(hull[i], hull[(i + 1) % hull.size()], p) <= 0) return false;
  }
  return true;
}

StatusOr<bool> InRegions(const std::string& regions, const Point& click) {
  StatusOr<nlohmann::json> parsed = ParseJson(regions);
  if (!parsed.ok() || !parsed->is_array()) {
    return FailedPreconditionError("imageresponse: regions are not a JSON list");
  }
  nlohmann::json list = *parsed;
  if (list.empty()) return false;
  if (!list[0].is_array() || list[0].empty() || !list[0][0].is_array()) {
    nlohmann::json single = nlohmann::json::array();
    single.push_back(std::move(list));
    list = std::move(single);
  }
  for (const nlohmann::json& region : list) {
    std::vector<Point> points;
    for (const nlohmann::json& point : region) {
      if (!point.is_array() || point.size() != 2 || !point[0].is_number() ||
          !point[1].is_number()) {
        return FailedPreconditionError("imageresponse: a region point is not [x, y]");
      }
      points.emplace_back(point[0].get<double>(), point[1].get<double>());
    }
    if (StrictlyInside(ConvexHull(points), click)) return true;
  }
  return false;
}

StatusOr<bool> ClickIsRight(const Input& input, const Point& click) {
  const std::string rectangles = input.node.attribute("rectangle").value();
  if (!rectangles.empty()) {
    std::size_t start = 0;
    while (start <= rectangles.size()) {
      const std::size_t end = std::min(rectangles.find(';', start), rectangles.size());
      const auto box = ParseRectangle(WithoutSpaces(rectangles.substr(start, end - start)));
      if (!box) {
        return FailedPreconditionError(
            "[capamodule.capa.responsetypes.imageinput] Error in problem specification! cannot "
            "parse rectangle in " +
            input.id);
      }
      const auto& [low, high] = *box;
      if (low.first <= click.first && click.first <= high.first && low.second <= click.second &&
          click.second <= high.second) {
        return true;
      }
      start = end + 1;
    }
  }
  const std::string regions = input.node.attribute("regions").value();
  if (regions.empty()) return false;
  return InRegions(regions, click);
}

}  // namespace

StatusOr<std::vector<InputGrade>> GradeImage(const Response& response, const Answers& answers) {
  std::vector<InputGrade> grades;
  for (const Input& input : response.inputs) {
    InputGrade grade{input.id, Correctness::kIncorrect, {}, ""};
    const auto it = answers.find(input.id);
    if (it != answers.end() && !it->second.empty() && !it->second.front().empty()) {
      const std::optional<Point> click = ParseClick(WithoutSpaces(it->second.front()));
      if (!click) {
        return InvalidArgumentError("[capamodule.capa.responsetypes.imageinput] error grading " +
                                    input.id + " (input=" + it->second.front() + ")");
      }
      LARCH_ASSIGN_OR_RETURN(bool right, ClickIsRight(input, *click));
      if (right) grade.correctness = Correctness::kCorrect;
    }
    grades.push_back(std::move(grade));
  }
  return grades;
}

}  // namespace larch::capa
