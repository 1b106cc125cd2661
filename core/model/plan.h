#pragma once
// The plan (docs/ARCHITECTURE.md, "The whole model"): one format per tensor
// minimising the model's total error Σ e_t under a bit budget Σ b_t ≤ B.
// A multiple-choice knapsack solved by per-tensor lower convex hulls, a
// Lagrangian bisection on the price of a bit, and a final exchange pass; the
// Lagrangian dual gives a lower bound on the optimum, reported beside the
// plan. Pure arithmetic: no tensors, no files.
#include <string>
#include <vector>

namespace qs {

struct PlanOption {
  std::string format;
  double bits = 0;  // the whole tensor's storage in bits (codes + scales)
  double error = 0; // its error (SSE, or importance-weighted SSE)
};

struct PlanItem {
  std::string name;
  std::vector<PlanOption> options; // empty: kept, costing fixedBits and no error
  double fixedBits = 0;
};

struct PlanSolution {
  bool feasible = false;   // false: even the smallest options exceed the budget
  std::vector<int> choice; // per item, index into its options (-1 for kept items)
  double totalBits = 0, totalError = 0;
  double lowerBound = 0;  // no plan within the budget has less total error
  double greedyError = 0; // the classic greedy's error at the same budget (for comparison)
};

struct ParetoPoint {
  double bits = 0, error = 0;
};

// The best plan within `budgetBits`: the Lagrangian solution at the
// budget's price, then an exchange pass over all options (hull or not) that
// spends what is left, trades pairs of items and pays an upgrade by several
// downgrades while that lowers the error. Never worse than the greedy that
// upgrades tensors by error drop per extra bit. Infeasible (feasible = false):
// `choice` is the smallest plan, lowerBound and greedyError are +inf. Options
// with an infinite error are never chosen; throws qs::Error for NaN or
// negative numbers and for an item whose options all have infinite error.
PlanSolution solvePlan(const std::vector<PlanItem>& items, double budgetBits);

// The lower convex frontier of (total bits, total error) over all plans:
// every Lagrangian solution, from the smallest to the largest plan.
std::vector<ParetoPoint> paretoCurve(const std::vector<PlanItem>& items);

} // namespace qs
