#include "pactum/server/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace pactum::server {

namespace {

[[noreturn]] void metrics_error(const std::string& what) {
  std::fprintf(stderr, "pactum::server::MetricsRegistry: %s\n", what.c_str());
  std::abort();
}

bool valid_name(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Label values escape backslash, double quote and newline; HELP text backslash and newline.
std::string escape(std::string_view s, bool quote) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string format_double(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // Shorter form when it round-trips (0.005 rather than 0.0050000000000000001).
  char shorter[64];
  for (int precision = 1; precision < 17; ++precision) {
    std::snprintf(shorter, sizeof shorter, "%.*g", precision, v);
    if (std::strtod(shorter, nullptr) == v) return shorter;
  }
  return buf;
}

std::string label_set(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      const std::string& extra_name = {}, const std::string& extra_value = {}) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += out.empty() ? "{" : ",";
    out += names[i] + "=\"" + escape(values[i], true) + "\"";
  }
  if (!extra_name.empty()) {
    out += out.empty() ? "{" : ",";
    out += extra_name + "=\"" + escape(extra_value, true) + "\"";
  }
  if (!out.empty()) out += "}";
  return out;
}

void check_family(const std::string& name, const std::vector<std::string>& labels) {
  if (!valid_name(name, true)) metrics_error("invalid metric name '" + name + "'");
  for (const auto& l : labels) {
    if (!valid_name(l, false) || l == "le") metrics_error("invalid label name '" + l + "'");
  }
}

template <class Metric>
Family<Metric>& get_family(std::map<std::string, std::unique_ptr<Family<Metric>>>& families,
                           const std::string& name, const std::string& help,
                           std::vector<std::string> labels, std::vector<double> bounds,
                           bool name_taken_elsewhere,
                           std::unique_ptr<Family<Metric>> (*make)(std::string, std::string,
                                                                   std::vector<std::string>,
                                                                   std::vector<double>)) {
  check_family(name, labels);
  auto it = families.find(name);
  if (it != families.end()) {
    if (it->second->labels() != labels) metrics_error("metric '" + name + "' labels differ");
    return *it->second;
  }
  if (name_taken_elsewhere) metrics_error("metric '" + name + "' exists with another type");
  auto [pos, _] = families.emplace(name, make(name, help, std::move(labels), std::move(bounds)));
  return *pos->second;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  for (std::size_t i = 1; i < bounds_.size(); ++i) {
    if (!(bounds_[i] > bounds_[i - 1])) metrics_error("histogram bounds must increase");
  }
}

void Histogram::observe(double value) noexcept {
  std::size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (value > 0) {
    sum_nanos_.fetch_add(static_cast<std::uint64_t>(std::llround(value * 1e9)),
                         std::memory_order_relaxed);
  }
}

std::uint64_t Histogram::cumulative(std::size_t i) const noexcept {
  std::uint64_t total = 0;
  for (std::size_t k = 0; k <= i && k <= bounds_.size(); ++k) {
    total += buckets_[k].load(std::memory_order_relaxed);
  }
  return total;
}

std::uint64_t Histogram::count() const noexcept {
  return count_.load(std::memory_order_relaxed);
}

double Histogram::sum() const noexcept {
  return static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
}

template <class Metric>
Metric& Family<Metric>::with(const std::vector<std::string>& label_values) {
  if (label_values.size() != labels_.size()) {
    metrics_error("metric '" + name_ + "' takes " + std::to_string(labels_.size()) + " labels");
  }
  std::lock_guard lock(mutex_);
  auto it = series_.find(label_values);
  if (it != series_.end()) return *it->second;
  std::unique_ptr<Metric> m;
  if constexpr (std::is_same_v<Metric, Histogram>) {
    m = std::make_unique<Histogram>(bounds_);
  } else {
    m = std::make_unique<Metric>();
  }
  return *series_.emplace(label_values, std::move(m)).first->second;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                          std::vector<std::string> labels) {
  std::lock_guard lock(mutex_);
  return get_family<Counter>(
      counters_, name, help, std::move(labels), {},
      gauges_.contains(name) || histograms_.contains(name),
      [](std::string n, std::string h, std::vector<std::string> l, std::vector<double> b) {
        return std::unique_ptr<Family<Counter>>(
            new Family<Counter>(std::move(n), std::move(h), std::move(l), std::move(b)));
      });
}

Family<Gauge>& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                                      std::vector<std::string> labels) {
  std::lock_guard lock(mutex_);
  return get_family<Gauge>(
      gauges_, name, help, std::move(labels), {},
      counters_.contains(name) || histograms_.contains(name),
      [](std::string n, std::string h, std::vector<std::string> l, std::vector<double> b) {
        return std::unique_ptr<Family<Gauge>>(
            new Family<Gauge>(std::move(n), std::move(h), std::move(l), std::move(b)));
      });
}

Family<Histogram>& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                              std::vector<std::string> labels,
                                              std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  return get_family<Histogram>(
      histograms_, name, help, std::move(labels), std::move(bounds),
      counters_.contains(name) || gauges_.contains(name),
      [](std::string n, std::string h, std::vector<std::string> l, std::vector<double> b) {
        return std::unique_ptr<Family<Histogram>>(
            new Family<Histogram>(std::move(n), std::move(h), std::move(l), std::move(b)));
      });
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  // Families from the three maps, in name order.
  std::map<std::string, std::string> blocks;
  auto header = [](const std::string& name, const std::string& help, const char* type) {
    return "# HELP " + name + " " + escape(help, false) + "\n# TYPE " + name + " " + type + "\n";
  };
  for (const auto& [name, f] : counters_) {
    std::string out = header(name, f->help(), "counter");
    std::lock_guard series_lock(f->mutex());
    for (const auto& [values, c] : f->series()) {
      out += name + label_set(f->labels(), values) + " " + std::to_string(c->value()) + "\n";
    }
    blocks[name] = std::move(out);
  }
  for (const auto& [name, f] : gauges_) {
    std::string out = header(name, f->help(), "gauge");
    std::lock_guard series_lock(f->mutex());
    for (const auto& [values, g] : f->series()) {
      out += name + label_set(f->labels(), values) + " " + std::to_string(g->value()) + "\n";
    }
    blocks[name] = std::move(out);
  }
  for (const auto& [name, f] : histograms_) {
    std::string out = header(name, f->help(), "histogram");
    std::lock_guard series_lock(f->mutex());
    for (const auto& [values, h] : f->series()) {
      const auto& bounds = h->bounds();
      for (std::size_t i = 0; i <= bounds.size(); ++i) {
        std::string le = i < bounds.size() ? format_double(bounds[i]) : "+Inf";
        out += name + "_bucket" + label_set(f->labels(), values, "le", le) + " " +
               std::to_string(h->cumulative(i)) + "\n";
      }
      out += name + "_sum" + label_set(f->labels(), values) + " " + format_double(h->sum()) + "\n";
      out += name + "_count" + label_set(f->labels(), values) + " " + std::to_string(h->count()) +
             "\n";
    }
    blocks[name] = std::move(out);
  }
  std::string out;
  for (auto& [_, block] : blocks) out += block;
  return out;
}

std::vector<double> default_latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

}  // namespace pactum::server
