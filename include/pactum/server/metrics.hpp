// A small Prometheus metrics registry: counters, gauges and histograms in labelled families,
// rendered in the text exposition format 0.0.4.
//
// A registry is owned by the application object (no global registry). Families are created
// once (creating an existing name returns the existing family if its type and labels agree);
// series are looked up by label values and live as long as the registry. References returned
// stay valid for the registry's lifetime.
//
// Thread safety: every member may be called from any number of threads. Series values are
// atomics; the series maps take a mutex on lookup, so hot paths keep the returned references.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pactum::server {

class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const noexcept {
    return value_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void add(std::int64_t n) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::int64_t n) noexcept { value_.store(n, std::memory_order_relaxed); }
  [[nodiscard]] std::int64_t value() const noexcept {
    return value_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<std::int64_t> value_{0};
};

class Histogram {
 public:
  // REQUIRES: `bounds` strictly increasing (upper bounds, "le"); +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);
  void observe(double value) noexcept;
  [[nodiscard]] const std::vector<double>& bounds() const noexcept { return bounds_; }
  // Cumulative count of observations <= bounds()[i]; i == bounds().size() is +Inf (= count()).
  [[nodiscard]] std::uint64_t cumulative(std::size_t i) const noexcept;
  [[nodiscard]] std::uint64_t count() const noexcept;
  [[nodiscard]] double sum() const noexcept;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bucket, not cumulative
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_nanos_{0};  // sum in units of 1e-9, exact for seconds
};

// A named family of one metric type; each distinct tuple of label values is one series.
template <class Metric>
class Family {
 public:
  // Returns the series for `label_values` (one per label name, in order), creating it.
  // REQUIRES: label_values.size() == label names' size.
  Metric& with(const std::vector<std::string>& label_values);

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::string& help() const noexcept { return help_; }
  [[nodiscard]] const std::vector<std::string>& labels() const noexcept { return labels_; }

 private:
  friend class MetricsRegistry;
  std::mutex& mutex() const noexcept { return mutex_; }
  const std::map<std::vector<std::string>, std::unique_ptr<Metric>>& series() const noexcept {
    return series_;
  }
  Family(std::string name, std::string help, std::vector<std::string> labels,
         std::vector<double> bounds)
      : name_(std::move(name)),
        help_(std::move(help)),
        labels_(std::move(labels)),
        bounds_(std::move(bounds)) {}
  std::string name_;
  std::string help_;
  std::vector<std::string> labels_;
  std::vector<double> bounds_;  // histograms only
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_;
};

class MetricsRegistry {
 public:
  // Each returns the family named `name`, creating it. REQUIRES: `name` matches
  // [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*; a name registered with another
  // type or other labels is a programming error and aborts.
  Family<Counter>& counter(const std::string& name, const std::string& help,
                           std::vector<std::string> labels = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help,
                       std::vector<std::string> labels = {});
  Family<Histogram>& histogram(const std::string& name, const std::string& help,
                               std::vector<std::string> labels, std::vector<double> bounds);

  // The text exposition of every family, families in name order, series in label order.
  [[nodiscard]] std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Family<Counter>>> counters_;
  std::map<std::string, std::unique_ptr<Family<Gauge>>> gauges_;
  std::map<std::string, std::unique_ptr<Family<Histogram>>> histograms_;
};

// Latency buckets in seconds, 100 µs .. 10 s.
[[nodiscard]] std::vector<double> default_latency_buckets();

}  // namespace pactum::server
