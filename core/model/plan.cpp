// The multiple-choice knapsack of core/model/plan.h. Per item, the options
// not dominated in (bits, error) form a staircase whose lower convex hull has
// edges of decreasing slope (error saved per extra bit). The Lagrangian
// solution at price λ takes every hull edge steeper than λ; merging the edges
// of all items by slope gives every Lagrangian solution at once, the budget's
// price λ* is found by bisection over that merged list, and the dual bound is
// evaluated exactly at λ*. An exchange pass then spends what λ* leaves over.
#include "core/model/plan.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <queue>

namespace qs {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Options of one item that can be chosen: finite error and bits.
struct Item {
  std::vector<int> usable; // option indices with finite error
  std::vector<int> hull;   // lower convex hull, by increasing bits
  int smallest = -1;       // fewest bits (then least error)
  bool kept = false;
};

struct Edge {
  double slope = 0; // error saved per extra bit
  double dBits = 0, dError = 0;
  int item = 0, from = 0, to = 0;
};

void checkItems(const std::vector<PlanItem>& items) {
  for (const PlanItem& it : items) {
    if (!std::isfinite(it.fixedBits) || it.fixedBits < 0)
      throw Error("plan: tensor '" + it.name + "' has invalid kept bits");
    for (const PlanOption& o : it.options) {
      if (!std::isfinite(o.bits) || o.bits < 0)
        throw Error("plan: option '" + o.format + "' of tensor '" + it.name + "' has invalid bits");
      if (std::isnan(o.error) || o.error < 0)
        throw Error("plan: option '" + o.format + "' of tensor '" + it.name + "' has an invalid error");
    }
  }
}

Item prepare(const PlanItem& in) {
  Item it;
  it.kept = in.options.empty();
  if (it.kept)
    return it;
  for (int i = 0; i < int(in.options.size()); ++i)
    if (std::isfinite(in.options[size_t(i)].error))
      it.usable.push_back(i);
  if (it.usable.empty())
    throw Error("plan: no option of tensor '" + in.name + "' has a finite error");
  auto byBits = it.usable;
  std::stable_sort(byBits.begin(), byBits.end(), [&](int a, int b) {
    const PlanOption &x = in.options[size_t(a)], &y = in.options[size_t(b)];
    return x.bits != y.bits ? x.bits < y.bits : x.error < y.error;
  });
  it.smallest = byBits.front();
  // Staircase: strictly less error for strictly more bits.
  std::vector<int> stairs;
  for (int i : byBits) {
    const PlanOption& o = in.options[size_t(i)];
    if (!stairs.empty()) {
      const PlanOption& last = in.options[size_t(stairs.back())];
      if (o.bits == last.bits || o.error >= last.error)
        continue;
    }
    stairs.push_back(i);
  }
  // Lower convex hull (monotone chain): drop a middle point lying on or
  // above the chord of its neighbours.
  for (int i : stairs) {
    const PlanOption& c = in.options[size_t(i)];
    while (it.hull.size() >= 2) {
      const PlanOption& a = in.options[size_t(it.hull[it.hull.size() - 2])];
      const PlanOption& b = in.options[size_t(it.hull.back())];
      // b above chord a→c  ⇔  slope(a,b) <= slope(b,c) in error saved per bit.
      const double lhs = (a.error - b.error) * (c.bits - b.bits);
      const double rhs = (b.error - c.error) * (b.bits - a.bits);
      if (lhs <= rhs)
        it.hull.pop_back();
      else
        break;
    }
    it.hull.push_back(i);
  }
  return it;
}

double bitsOf(const std::vector<PlanItem>& items, const std::vector<int>& choice) {
  double s = 0;
  for (size_t t = 0; t < items.size(); ++t)
    s += choice[t] < 0 ? items[t].fixedBits : items[t].options[size_t(choice[t])].bits;
  return s;
}

double errorOf(const std::vector<PlanItem>& items, const std::vector<int>& choice) {
  double s = 0;
  for (size_t t = 0; t < items.size(); ++t)
    if (choice[t] >= 0)
      s += items[t].options[size_t(choice[t])].error;
  return s;
}

// Every hull edge of every item, steepest first; within an item its edges
// stay in hull order (their slopes decrease along the hull).
std::vector<Edge> mergedEdges(const std::vector<PlanItem>& items, const std::vector<Item>& prepared) {
  std::vector<Edge> edges;
  for (size_t t = 0; t < items.size(); ++t) {
    const auto& h = prepared[t].hull;
    for (size_t j = 1; j < h.size(); ++j) {
      const PlanOption &a = items[t].options[size_t(h[j - 1])], &b = items[t].options[size_t(h[j])];
      Edge e;
      e.dBits = b.bits - a.bits;
      e.dError = b.error - a.error;
      e.slope = -e.dError / e.dBits;
      e.item = int(t);
      e.from = h[j - 1];
      e.to = h[j];
      edges.push_back(e);
    }
  }
  std::stable_sort(edges.begin(), edges.end(),
                   [](const Edge& a, const Edge& b) { return a.slope > b.slope; });
  return edges;
}

std::vector<int> smallestChoice(const std::vector<Item>& prepared) {
  std::vector<int> choice(prepared.size(), -1);
  for (size_t t = 0; t < prepared.size(); ++t)
    choice[t] = prepared[t].kept ? -1 : prepared[t].hull.front();
  return choice;
}

// Upgrades by the largest error drop per extra bit among all usable options
// that fit what is left of the budget, until none helps. An option with no
// extra bits (or fewer) and less error is an infinitely good upgrade. A heap
// holds each item's best fitting upgrade; the budget left only shrinks, so an
// entry that no longer fits is recomputed for its item, never revived.
void fillBudget(const std::vector<PlanItem>& items, const std::vector<Item>& prepared,
                std::vector<int>& choice, double budget) {
  double left = budget - bitsOf(items, choice);
  struct Entry {
    double ratio;
    int item, option;
    unsigned version;
    bool operator<(const Entry& o) const {
      if (ratio != o.ratio)
        return ratio < o.ratio;
      if (item != o.item)
        return item > o.item;
      return option > o.option;
    }
  };
  std::vector<unsigned> version(items.size(), 0);
  auto best = [&](size_t t) -> std::optional<Entry> {
    const PlanOption& cur = items[t].options[size_t(choice[t])];
    std::optional<Entry> e;
    for (int o : prepared[t].usable) {
      const PlanOption& c = items[t].options[size_t(o)];
      const double dBits = c.bits - cur.bits, gain = cur.error - c.error;
      if (gain <= 0 || dBits > left)
        continue;
      const double ratio = dBits <= 0 ? kInf : gain / dBits;
      // Among equal ratios the larger gain: a free improvement takes the most.
      if (!e || ratio > e->ratio ||
          (ratio == e->ratio && gain > cur.error - items[t].options[size_t(e->option)].error))
        e = Entry{ratio, int(t), o, version[t]};
    }
    return e;
  };
  std::priority_queue<Entry> heap;
  for (size_t t = 0; t < items.size(); ++t)
    if (!prepared[t].kept)
      if (auto e = best(t))
        heap.push(*e);
  while (!heap.empty()) {
    const Entry e = heap.top();
    heap.pop();
    const size_t t = size_t(e.item);
    if (e.version != version[t])
      continue;
    const double dBits = items[t].options[size_t(e.option)].bits - items[t].options[size_t(choice[t])].bits;
    if (dBits <= left) {
      choice[t] = e.option;
      left -= dBits;
    }
    ++version[t];
    if (auto n = best(t))
      heap.push(*n);
  }
}

// One best pair move: upgrade item i beyond what is left, paid by
// downgrading another item j. Returns false when no pair lowers the error.
bool bestSwap(const std::vector<PlanItem>& items, const std::vector<Item>& prepared, std::vector<int>& choice,
              double budget) {
  const double left = budget - bitsOf(items, choice);
  struct Move {
    double dBits, dError;
    int item, option;
  };
  std::vector<Move> ups, downs;
  for (size_t t = 0; t < items.size(); ++t) {
    if (prepared[t].kept)
      continue;
    const PlanOption& cur = items[t].options[size_t(choice[t])];
    for (int o : prepared[t].usable) {
      const PlanOption& c = items[t].options[size_t(o)];
      const Move m{c.bits - cur.bits, c.error - cur.error, int(t), o};
      if (m.dBits > left && m.dError < 0)
        ups.push_back(m);
      else if (m.dBits < 0)
        downs.push_back(m);
    }
  }
  if (ups.empty() || downs.empty())
    return false;
  // Downgrades by freed bits, most first; suffix minima over "frees at least
  // x" as a prefix: the best and the best from another item.
  std::sort(downs.begin(), downs.end(), [](const Move& a, const Move& b) { return a.dBits < b.dBits; });
  std::vector<int> best1(downs.size()), best2(downs.size(), -1);
  for (size_t k = 0; k < downs.size(); ++k) {
    int b1 = k ? best1[k - 1] : -1, b2 = k ? best2[k - 1] : -1;
    const int c = int(k);
    auto better = [&](int a, int b) { return b < 0 || downs[size_t(a)].dError < downs[size_t(b)].dError; };
    if (better(c, b1)) {
      // The old best stays the best of the other items when it is another item's.
      if (b1 >= 0 && downs[size_t(b1)].item != downs[k].item)
        b2 = b1;
      b1 = c;
    } else if (downs[k].item != downs[size_t(b1)].item && better(c, b2)) {
      b2 = c;
    }
    best1[k] = b1;
    best2[k] = b2;
  }
  double bestGain = 0;
  int bu = -1, bd = -1;
  for (size_t u = 0; u < ups.size(); ++u) {
    const double need = ups[u].dBits - left; // bits a downgrade must free
    // downs sorted by dBits ascending (most freed first): those with -dBits >= need.
    const auto end = std::upper_bound(downs.begin(), downs.end(), -need,
                                      [](double v, const Move& m) { return v < m.dBits; });
    const size_t n = size_t(end - downs.begin());
    if (n == 0)
      continue;
    int d = best1[n - 1];
    if (downs[size_t(d)].item == ups[u].item)
      d = best2[n - 1];
    if (d < 0)
      continue;
    const double gain = -(ups[u].dError + downs[size_t(d)].dError);
    if (gain > bestGain) {
      bestGain = gain;
      bu = int(u);
      bd = d;
    }
  }
  const double total = errorOf(items, choice);
  if (bu < 0 || bestGain <= 1e-12 * total)
    return false;
  const Move &up = ups[size_t(bu)], &down = downs[size_t(bd)];
  const int oldUp = choice[size_t(up.item)], oldDown = choice[size_t(down.item)];
  choice[size_t(up.item)] = up.option;
  choice[size_t(down.item)] = down.option;
  if (bitsOf(items, choice) > budget) { // rounding: undo rather than overspend
    choice[size_t(up.item)] = oldUp;
    choice[size_t(down.item)] = oldDown;
    return false;
  }
  return true;
}

// Upgrades that do not fit, each paid by downgrading other items: after the
// upgrade, downgrades by the least error added per bit freed are taken one
// by one, and at every step the cheapest single downgrade that would cover
// the rest is tried as the last one. Of the `limit` steepest upgrades, the
// best complete move that lowers the error is applied. Returns false when
// none does.
bool bestUpgradeWithRepair(const std::vector<PlanItem>& items, const std::vector<Item>& prepared,
                           std::vector<int>& choice, double budget, size_t limit) {
  const double bits = bitsOf(items, choice), error = errorOf(items, choice);
  struct Up {
    double ratio;
    int item, option;
  };
  std::vector<Up> ups;
  for (size_t t = 0; t < items.size(); ++t) {
    if (prepared[t].kept)
      continue;
    const PlanOption& cur = items[t].options[size_t(choice[t])];
    for (int o : prepared[t].usable) {
      const PlanOption& c = items[t].options[size_t(o)];
      if (c.bits - cur.bits > budget - bits && c.error < cur.error)
        ups.push_back({(cur.error - c.error) / (c.bits - cur.bits), int(t), o});
    }
  }
  std::stable_sort(ups.begin(), ups.end(), [](const Up& a, const Up& b) { return a.ratio > b.ratio; });
  if (ups.size() > limit)
    ups.resize(limit);
  std::vector<int> best;
  double bestError = error * (1 - 1e-12);
  for (const Up& u : ups) {
    std::vector<int> c = choice;
    c[size_t(u.item)] = u.option;
    std::vector<bool> touched(items.size(), false);
    touched[size_t(u.item)] = true;
    double over = bitsOf(items, c) - budget, err = errorOf(items, c);
    while (over > 0 && err < bestError) {
      // The cheapest single downgrade covering `over`, and the best per bit.
      int finT = -1, finO = -1, perT = -1, perO = -1;
      double finCost = kInf, perRatio = kInf;
      for (size_t t = 0; t < items.size(); ++t) {
        if (prepared[t].kept || touched[t])
          continue;
        const PlanOption& cur = items[t].options[size_t(c[t])];
        for (int o : prepared[t].usable) {
          const PlanOption& d = items[t].options[size_t(o)];
          const double freed = cur.bits - d.bits, cost = d.error - cur.error;
          if (freed <= 0)
            continue;
          if (freed >= over && cost < finCost) {
            finCost = cost;
            finT = int(t);
            finO = o;
          }
          if (cost / freed < perRatio) {
            perRatio = cost / freed;
            perT = int(t);
            perO = o;
          }
        }
      }
      if (finT >= 0 && err + finCost < bestError) {
        std::vector<int> done = c;
        done[size_t(finT)] = finO;
        if (bitsOf(items, done) <= budget) {
          bestError = err + finCost;
          best = std::move(done);
        }
      }
      if (perT < 0)
        break;
      const PlanOption &from = items[size_t(perT)].options[size_t(c[size_t(perT)])],
                       &to = items[size_t(perT)].options[size_t(perO)];
      over -= from.bits - to.bits;
      err += to.error - from.error;
      c[size_t(perT)] = perO;
      touched[size_t(perT)] = true;
      if (over <= 0 && err < bestError && bitsOf(items, c) <= budget) {
        bestError = err;
        best = c;
      }
    }
  }
  if (best.empty())
    return false;
  choice = std::move(best);
  return true;
}

// Σ_t min_o (e + λ b) − λ B over the usable options, kept items at λ·fixed.
double dualValue(const std::vector<PlanItem>& items, const std::vector<Item>& prepared, double lambda,
                 double budget) {
  double g = -lambda * budget;
  for (size_t t = 0; t < items.size(); ++t) {
    if (prepared[t].kept) {
      g += lambda * items[t].fixedBits;
      continue;
    }
    double m = kInf;
    for (int o : prepared[t].usable)
      m = std::min(m, items[t].options[size_t(o)].error + lambda * items[t].options[size_t(o)].bits);
    g += m;
  }
  return g;
}

} // namespace

PlanSolution solvePlan(const std::vector<PlanItem>& items, double budgetBits) {
  checkItems(items);
  std::vector<Item> prepared;
  prepared.reserve(items.size());
  for (const PlanItem& it : items)
    prepared.push_back(prepare(it));

  PlanSolution sol;
  std::vector<int> start = smallestChoice(prepared);
  const double minBits = bitsOf(items, start);
  if (std::isnan(budgetBits) || minBits > budgetBits) {
    sol.choice = start;
    sol.totalBits = minBits;
    sol.totalError = errorOf(items, start);
    sol.lowerBound = kInf;
    sol.greedyError = kInf;
    return sol;
  }
  sol.feasible = true;

  // Lagrangian: the solution at λ takes every edge with slope > λ. Its bits
  // grow as λ falls; bisection over the merged slopes finds the longest
  // prefix of edges within the budget, and λ* is the slope of the first edge
  // left out (0 when every edge fits).
  const std::vector<Edge> edges = mergedEdges(items, prepared);
  std::vector<double> cumBits(edges.size() + 1, minBits);
  for (size_t k = 0; k < edges.size(); ++k)
    cumBits[k + 1] = cumBits[k] + edges[k].dBits;
  size_t lo = 0, hi = edges.size(); // cumBits[lo] fits; find the largest such
  while (lo < hi) {
    const size_t mid = (lo + hi + 1) / 2;
    if (cumBits[mid] <= budgetBits)
      lo = mid;
    else
      hi = mid - 1;
  }
  const double lambda = lo < edges.size() ? edges[lo].slope : 0.0;
  std::vector<int> choice = start;
  for (size_t k = 0; k < lo; ++k)
    choice[size_t(edges[k].item)] = edges[k].to;
  sol.lowerBound = dualValue(items, prepared, lambda, budgetBits);

  // Exchange pass: spend what is left, then trade pairs while that helps.
  fillBudget(items, prepared, choice, budgetBits);
  for (int round = 0; round < 256 && bestSwap(items, prepared, choice, budgetBits); ++round)
    fillBudget(items, prepared, choice, budgetBits);
  // Moves of three or more items: an upgrade paid by several downgrades.
  for (int round = 0; round < 8 && bestUpgradeWithRepair(items, prepared, choice, budgetBits, 16); ++round) {
    fillBudget(items, prepared, choice, budgetBits);
    for (int r = 0; r < 256 && bestSwap(items, prepared, choice, budgetBits); ++r)
      fillBudget(items, prepared, choice, budgetBits);
  }

  std::vector<int> greedy = start;
  fillBudget(items, prepared, greedy, budgetBits);
  sol.greedyError = errorOf(items, greedy);

  const double err = errorOf(items, choice);
  if (sol.greedyError < err) {
    choice = greedy;
  }
  sol.choice = choice;
  sol.totalBits = bitsOf(items, choice);
  sol.totalError = errorOf(items, choice);
  // Rounding of sums in different orders must not put the bound above a plan.
  sol.lowerBound = std::min(sol.lowerBound, sol.totalError);
  return sol;
}

std::vector<ParetoPoint> paretoCurve(const std::vector<PlanItem>& items) {
  checkItems(items);
  std::vector<Item> prepared;
  prepared.reserve(items.size());
  for (const PlanItem& it : items)
    prepared.push_back(prepare(it));
  const std::vector<int> start = smallestChoice(prepared);
  ParetoPoint p{bitsOf(items, start), errorOf(items, start)};
  std::vector<ParetoPoint> curve{p};
  const std::vector<Edge> edges = mergedEdges(items, prepared);
  for (size_t k = 0; k < edges.size(); ++k) {
    p.bits += edges[k].dBits;
    p.error += edges[k].dError;
    // Edges of one slope lie on one segment: only its end is a corner.
    if (k + 1 < edges.size() && edges[k + 1].slope == edges[k].slope)
      continue;
    curve.push_back(p);
  }
  return curve;
}

} // namespace qs
