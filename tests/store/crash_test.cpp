// Crash tests: a child process uploads through an Env that stops before every file-system step
// and waits for the parent; the parent lets it run k steps and then kills it with SIGKILL, for
// every k from the first step of the upload to just after the commit returned. After each kill
// the parent reopens the store: the asset is either wholly there (killed after the commit) or
// not there at all, nothing half-written is left, and the store keeps working. No sleeps: the
// pipes order the two processes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "pactum/store/asset_store.hpp"
#include "store/store_test_util.hpp"

namespace pactum::store {
namespace {

using testing::open_store;
using testing::read_back;
using testing::TempDir;
using testing::test_data;
namespace fs = std::filesystem;

constexpr char kStep = 'S';
constexpr char kCommitted = 'C';
constexpr std::uint32_t kChunk = kMinChunkSize;
const Bytes& victim_data() {
  static const Bytes data = test_data(6 * kChunk + 100, 99);
  return data;
}

// Reports each mutating step on `report_fd` and waits for a byte on `go_fd` before doing it.
class SteppingEnv : public EnvWrapper {
 public:
  SteppingEnv(int report_fd, int go_fd) : EnvWrapper(posix_env()), report_(report_fd), go_(go_fd) {}

  // Steps are only reported once armed (opening the store is not under test here).
  void arm() { armed_ = true; }

  // Tells the parent something and waits for its answer; exits when the parent is gone.
  void handshake(char what) {
    if (::write(report_, &what, 1) != 1) ::_exit(3);
    char go = 0;
    if (::read(go_, &go, 1) != 1) ::_exit(3);
  }

  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override {
    step();
    PACTUM_TRY(auto file, target().new_writable_file(path));
    return std::unique_ptr<WritableFile>(std::make_unique<File>(*this, std::move(file)));
  }
  Status create_dir(const std::string& path) override {
    step();
    return target().create_dir(path);
  }
  Status remove_file(const std::string& path) override {
    step();
    return target().remove_file(path);
  }
  Status remove_dir(const std::string& path) override {
    step();
    return target().remove_dir(path);
  }
  Status rename(const std::string& from, const std::string& to) override {
    step();
    return target().rename(from, to);
  }
  Status sync_dir(const std::string& path) override {
    step();
    return target().sync_dir(path);
  }

 private:
  class File : public WritableFile {
   public:
    File(SteppingEnv& env, std::unique_ptr<WritableFile> f) : env_(env), f_(std::move(f)) {}
    Status append(ByteView d) override {
      env_.step();
      return f_->append(d);
    }
    Status sync() override {
      env_.step();
      return f_->sync();
    }
    Status close() override {
      env_.step();
      return f_->close();
    }

   private:
    SteppingEnv& env_;
    std::unique_ptr<WritableFile> f_;
  };

  void step() {
    if (armed_) handshake(kStep);
  }

  int report_;
  int go_;
  bool armed_ = false;
};

// The child: uploads the victim slowly (a step at a time) and commits it. Never returns.
[[noreturn]] void run_child(const std::string& dir, const std::string& id, int report_fd,
                            int go_fd) {
  SteppingEnv env(report_fd, go_fd);
  auto store = open_store(dir, testing::test_master_key(), &env);
  if (!store.ok()) ::_exit(2);
  env.arm();
  auto writer = (*store)->begin_upload(id, UploadOptions{.chunk_size = kChunk});
  if (!writer.ok()) ::_exit(2);
  const Bytes& data = victim_data();
  for (std::size_t off = 0; off < data.size(); off += 3000) {
    if (!(*writer)
             ->write(ByteView(data).subspan(off, std::min<std::size_t>(3000, data.size() - off)))
             .ok()) {
      ::_exit(2);
    }
  }
  if (!(*writer)->commit(CommitInfo{.owner = "0xowner"}).ok()) ::_exit(2);
  env.handshake(kCommitted);  // the parent kills us here in the last round
  ::_exit(0);
}

struct Round {
  int steps_done = 0;  // steps the child was allowed to perform
  bool committed = false;
};

// Runs the child, lets it perform `allow` steps, then kills it at the next report.
// allow < 0: never kill; run to the commit and count the steps.
Round run_and_kill(const std::string& dir, const std::string& id, int allow) {
  int report[2];
  int go[2];
  EXPECT_EQ(::pipe(report), 0);
  EXPECT_EQ(::pipe(go), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(report[0]);
    ::close(go[1]);
    run_child(dir, id, report[1], go[0]);
  }
  ::close(report[1]);
  ::close(go[0]);
  Round round;
  for (;;) {
    char what = 0;
    if (::read(report[0], &what, 1) != 1) {
      ADD_FAILURE() << "child exited early after " << round.steps_done << " steps";
      break;
    }
    if (what == kCommitted) round.committed = true;
    if (round.committed || round.steps_done == allow) {
      ::kill(pid, SIGKILL);
      break;
    }
    ++round.steps_done;
    const char ok = 'g';
    EXPECT_EQ(::write(go[1], &ok, 1), 1);
  }
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  ::close(report[0]);
  ::close(go[1]);
  return round;
}

std::size_t count_entries(const std::string& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

TEST(StoreCrash, SigkillAtEveryStepOfAnUploadLeavesNoPartialAsset) {
  TempDir dir;
  const Bytes survivor = test_data(3 * kChunk + 7, 5);
  {
    auto store = open_store(dir.path()).value();
    ASSERT_TRUE(testing::upload(*store, "survivor", survivor).ok());
  }
  // A full run counts the steps of one upload.
  TempDir probe;
  const Round full = run_and_kill(probe.path(), "victim", -1);
  ASSERT_TRUE(full.committed);
  ASSERT_GT(full.steps_done, 10);

  for (int k = 0; k <= full.steps_done; ++k) {
    SCOPED_TRACE("killed after " + std::to_string(k) + " of " + std::to_string(full.steps_done) +
                 " steps");
    // A fresh id per round, so rounds do not see each other's victims.
    const std::string id = "victim-" + std::to_string(k);
    const Round round = run_and_kill(dir.path(), id, k);
    ASSERT_EQ(round.committed, k == full.steps_done);

    auto store = open_store(dir.path());
    ASSERT_TRUE(store.ok()) << store.error().to_string();
    // The survivor is untouched.
    auto s = (*store)->open_reader("survivor").value();
    ASSERT_EQ(read_back(*s, 0, survivor.size()).value(), survivor);
    // Nothing of an upload in progress is left.
    EXPECT_EQ(count_entries(dir.path() + "/tmp"), 0u);
    auto victim = (*store)->get(id);
    if (round.committed) {
      ASSERT_TRUE(victim.ok());
      auto reader = (*store)->open_reader(id).value();
      EXPECT_EQ(read_back(*reader, 0, victim_data().size()).value(), victim_data());
    } else {
      ASSERT_EQ(victim.error().code(), ErrorCode::kNotFound);
      EXPECT_FALSE(fs::exists(dir.path() + "/objects/" + id));
      // The store is usable: the same id uploads and reads back.
      ASSERT_TRUE(testing::upload(**store, id, victim_data()).ok());
      auto reader = (*store)->open_reader(id).value();
      EXPECT_EQ(read_back(*reader, 0, victim_data().size()).value(), victim_data());
    }
    const RecoveryReport report = (*store)->recover().value();
    EXPECT_TRUE(report.missing_objects.empty());
    EXPECT_EQ(report.removed_uploads + report.removed_orphans, 0u);
  }
}

}  // namespace
}  // namespace pactum::store
