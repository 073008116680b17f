// The inventory, one suite for both backends: SQLite (always) and PostgreSQL (the throwaway cluster
// `.ci/run` starts; MODELGATE_TEST_POSTGRES names it). Reuse by content, never by path; every
// decision recorded; unreadable rows are a miss plus an error; concurrent admits lose no rows; a
// killed admit leaves the store usable.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "gate/sql_connection.h"
#include "gate_test_util.h"

namespace inventory_test {

namespace {

using namespace mgtest;
using nlohmann::json;

// One store per test: a SQLite file in the test's directory, or a fresh PostgreSQL database.
class InventoryBackend : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      uri_ = "sqlite:" + (tmp_ / "inventory.db").string();
      return;
    }
    const char* base = std::getenv("MODELGATE_TEST_POSTGRES");
    if (base == nullptr || *base == '\0')
      GTEST_SKIP() << "PostgreSQL half skipped: MODELGATE_TEST_POSTGRES is not set (.ci/run sets it; "
                      "scripts/postgres-cluster starts a cluster)";
    base_ = base;
    std::random_device rd;
    database_ = "mg_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd() % 1000000);
    auto admin = modelgate::connect_postgres(base_ + "/postgres");
    ASSERT_TRUE(admin) << admin.error().message();
    auto created = (*admin)->run("CREATE DATABASE " + database_, {});
    ASSERT_TRUE(created) << created.error().message();
    uri_ = base_ + "/" + database_;
  }
  void TearDown() override {
    if (database_.empty()) return;
    auto admin = modelgate::connect_postgres(base_ + "/postgres");
    if (admin) (void)(*admin)->run("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)", {});
  }

  std::unique_ptr<modelgate::SqlConnection> raw() {
    auto c = GetParam() == "sqlite" ? modelgate::connect_sqlite(uri_.substr(7)) : modelgate::connect_postgres(uri_);
    EXPECT_TRUE(c) << c.error().message();
    return c ? std::move(*c) : nullptr;
  }
  std::vector<std::vector<std::string>> sql(const std::string& statement) {
    auto c = raw();
    auto rows = c->run(statement, {});
    EXPECT_TRUE(rows) << rows.error().message();
    return rows ? *rows : std::vector<std::vector<std::string>>{};
  }
  std::size_t count(const std::string& table) { return std::stoul(sql("SELECT COUNT(*) FROM " + table).at(0).at(0)); }

  fs::path policy(const json& body = json::object()) {
    fs::path p = tmp_ / ("policy" + std::to_string(++policies_) + ".json");
    json j = body;
    j["schema"] = "modelgate.policy/2";
    write_file(p, j.dump());
    return p;
  }
  AdmitRun admit(const std::string& paths, const fs::path& policy_file) {
    return run_admit(paths + " --policy " + q(policy_file) + " --store '" + uri_ + "'");
  }
  fs::path model(const std::string& name, int files, const std::string& salt = "") {
    fs::path dir = tmp_ / name;
    for (int i = 0; i < files; ++i)
      write_file(dir / ("part" + std::to_string(i) + ".json"), "{\"part\": " + std::to_string(i) + ", \"salt\": \"" + salt + "\"}");
    return dir;
  }

  TempDir tmp_;
  std::string uri_, base_, database_;
  int policies_ = 0;
};

TEST_P(InventoryBackend, JudgedFilesAreNotScannedAgain) {
  fs::path m = model("m", 5);
  fs::path p = policy();
  auto first = admit(q(m), p);
  ASSERT_EQ(first.exit_code, 0) << first.stdout_text << first.stderr_text;
  EXPECT_EQ(first.decision["inventory"]["hits"], 0);
  EXPECT_EQ(first.decision["inventory"]["misses"], 5);
  EXPECT_EQ(first.decision["inventory"]["store"], uri_);
  // How the files were parsed: the command's default, confined workers.
  EXPECT_EQ(first.decision["sandbox"]["mode"], std::string(modelgate::to_string(modelgate::default_sandbox_mode())));
  EXPECT_TRUE(first.decision["sandbox"]["layers"].is_array()) << first.stdout_text;
  auto second = admit(q(m), p);
  ASSERT_EQ(second.exit_code, 0) << second.stderr_text;
  EXPECT_EQ(second.decision["inventory"]["hits"], 5);
  EXPECT_EQ(second.decision["inventory"]["misses"], 0);
  EXPECT_EQ(second.decision["rules"], first.decision["rules"]);
  EXPECT_EQ(count("results"), 5u);
  EXPECT_EQ(count("decisions"), 2u);
  EXPECT_EQ(count("decision_files"), 10u);
}

TEST_P(InventoryBackend, SameBytesElsewhereAreReusedUnderTheirNewPath) {
  fs::path p = policy();
  ASSERT_EQ(admit(q(model("a", 3)), p).exit_code, 0);
  fs::path b = model("b", 3);
  auto r = admit(q(b), p);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(r.decision["inventory"]["hits"], 3);
  for (const auto& rule : r.decision["rules"]) {
    if (rule["id"] == "MG-GATE-STATUS") {
      EXPECT_EQ(rule["subject"].get<std::string>().rfind(b.string() + "/", 0), 0u) << rule;
    }
  }
}

TEST_P(InventoryBackend, ChangedContentOrRulesAreScannedAgain) {
  fs::path m = model("m", 3);
  fs::path p = policy();
  ASSERT_EQ(admit(q(m), p).exit_code, 0);
  // One byte changed at the end of a file: same size, same name, same mtime second.
  std::string bytes = read_file(m / "part1.json");
  bytes[bytes.find('1')] = '7';
  write_file(m / "part1.json", bytes);
  auto changed = admit(q(m), p);
  EXPECT_EQ(changed.decision["inventory"]["hits"], 2);
  EXPECT_EQ(changed.decision["inventory"]["misses"], 1);
  // Other limits are another rule set: nothing is reused.
  auto other_rules = admit(q(m), policy({{"limits", {{"max_json_depth", 64}}}}));
  EXPECT_EQ(other_rules.decision["inventory"]["hits"], 0);
  EXPECT_EQ(other_rules.decision["inventory"]["misses"], 3);
}

TEST_P(InventoryBackend, TheSameBytesUnderAnotherLoaderNameAreJudgedAgain) {
  // config.json is read by its name; the same bytes as data.json are not that reading.
  fs::path a = tmp_ / "a", b = tmp_ / "b";
  write_file(a / "data.json", "{\"auto_map\": {\"AutoModel\": \"modeling.M\"}}");
  write_file(b / "config.json", read_file(a / "data.json"));
  fs::path p = policy();
  (void)admit(q(a), p);
  auto r = admit(q(b), p);
  EXPECT_EQ(r.decision["inventory"]["hits"], 0);
}

TEST_P(InventoryBackend, TamperedRowsAreAMissAndAnErrorNeverAnAllow) {
  fs::path clean = model("clean", 1);
  fs::path bad = tmp_ / "bad";
  write_file(bad / "model.pkl", unsafe_pickle());
  fs::path p = policy();
  ASSERT_EQ(admit(q(bad), p).exit_code, 1);
  ASSERT_EQ(admit(q(clean), p).exit_code, 0);
  // The unsafe file's row now claims `safe` everywhere (well-formed JSON, findings kept).
  sql("UPDATE results SET report = replace(report, '\"status\":\"unsafe\"', '\"status\":\"safe\"') WHERE status = 'unsafe'");
  auto edited = admit(q(bad), p);
  EXPECT_EQ(edited.exit_code, 2) << edited.stdout_text;
  EXPECT_EQ(edited.decision["decision"], "deny");
  EXPECT_EQ(edited.decision["inventory"]["misses"], 1);
  EXPECT_NE(edited.stderr_text.find("unreadable"), std::string::npos) << edited.stderr_text;
  EXPECT_EQ(rule_results(edited.decision, "MG-GATE-STATUS").at(0)["result"], "fail");
  // The fresh verdict replaced the row: the next admission reads it.
  auto again = admit(q(bad), p);
  EXPECT_EQ(again.exit_code, 1) << again.stderr_text;
  EXPECT_EQ(again.decision["inventory"]["hits"], 1);
  // Only the file's own status edited (the last member of the row's text).
  sql("UPDATE results SET report = substr(report, 1, length(report) - 18) || '\"status\":\"safe\"}' WHERE status = 'unsafe'");
  auto top_only = admit(q(bad), p);
  EXPECT_EQ(top_only.exit_code, 2) << top_only.stdout_text;
  EXPECT_EQ(top_only.decision["decision"], "deny");
  // Garbage in a clean file's row.
  sql("UPDATE results SET report = '{\"origin\": \"\", \"format\": [' WHERE status = 'safe'");
  auto garbage = admit(q(clean), p);
  EXPECT_EQ(garbage.exit_code, 2);
  EXPECT_EQ(garbage.decision["decision"], "deny");
}

TEST_P(InventoryBackend, InventoryCommandsQueryIt) {
  fs::path m = tmp_ / "m";
  write_file(m / "model.pkl", safe_pickle());
  fs::path p = policy();
  ASSERT_EQ(admit(q(m), p).exit_code, 0);
  std::string store = " --store '" + uri_ + "' --format json";
  auto list = run("(" + modelgate_binary() + " inventory list" + store + " 2>/dev/null)");
  ASSERT_EQ(list.exit_code, 0) << list.output;
  json rows = json::parse(list.output);
  ASSERT_EQ(rows.size(), 1u);
  std::string digest = rows[0]["sha256"];
  EXPECT_EQ(rows[0]["format"], "pickle");
  auto show = run("(" + modelgate_binary() + " inventory show " + digest + store + " 2>/dev/null)");
  ASSERT_EQ(show.exit_code, 0) << show.output;
  json shown = json::parse(show.output);
  EXPECT_EQ(shown["results"].size(), 1u);
  ASSERT_EQ(shown["decisions"].size(), 1u);
  EXPECT_EQ(shown["decisions"][0]["decision"], "allow");
  EXPECT_EQ(shown["decisions"][0]["policy_sha256"].get<std::string>().size(), 64u);
  auto decisions = run("(" + modelgate_binary() + " inventory decisions" + store + " 2>/dev/null)");
  ASSERT_EQ(decisions.exit_code, 0);
  EXPECT_EQ(json::parse(decisions.output).size(), 1u);
  auto unknown = run(modelgate_binary() + " inventory show " + std::string(64, 'a') + store);
  EXPECT_EQ(unknown.exit_code, 1);
}

TEST_P(InventoryBackend, ConcurrentAdmitsLoseNoRows) {
  constexpr int kProcesses = 10, kFiles = 8;
  fs::path p = policy();
  fs::path shared = model("shared", 4, "shared");
  std::string commands;
  for (int i = 0; i < kProcesses; ++i) {
    fs::path own = model("own" + std::to_string(i), kFiles, std::to_string(i));
    commands += modelgate_binary() + " admit --format json " + q(own) + " " + q(shared) + " --policy " + q(p) +
                " --store '" + uri_ + "' >" + q(tmp_ / ("out" + std::to_string(i))) + " 2>&1 & pids=\"$pids $!\"\n";
  }
  auto r = run("pids=\n" + commands + "fail=0; for j in $pids; do wait $j || fail=1; done; exit $fail");
  std::string outputs;
  for (int i = 0; i < kProcesses; ++i) outputs += read_file(tmp_ / ("out" + std::to_string(i)));
  ASSERT_EQ(r.exit_code, 0) << r.output << outputs;
  EXPECT_EQ(count("decisions"), static_cast<std::size_t>(kProcesses));
  EXPECT_EQ(count("decision_files"), static_cast<std::size_t>(kProcesses * (kFiles + 4)));
  // Every distinct content once: the shared files are one row each however many processes judged them.
  EXPECT_EQ(count("results"), static_cast<std::size_t>(kProcesses * kFiles + 4));
}

TEST_P(InventoryBackend, KilledAdmitLeavesTheStoreConsistent) {
  fs::path p = policy();
  fs::path m = model("many", 400);
  for (int attempt = 0; attempt < 3; ++attempt) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      std::string store = "--store=" + uri_, pol = "--policy=" + p.string();
      ::execl(modelgate_binary().c_str(), "modelgate", "admit", "--format", "json", "--threads", "1", m.c_str(),
              pol.c_str(), store.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + 150 * attempt));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
  }
  // Whatever was written is whole: every stored row reads back, and the next admission completes.
  auto after = admit(q(m), p);
  ASSERT_EQ(after.exit_code, 0) << after.stderr_text;
  EXPECT_EQ(after.decision["inventory"]["hits"].get<std::uint64_t>() + after.decision["inventory"]["misses"].get<std::uint64_t>(), 400u);
  EXPECT_EQ(count("results"), 400u);
  for (const auto& row : sql("SELECT d.id, COUNT(f.sha256) FROM decisions d LEFT JOIN decision_files f ON f.decision_id = d.id GROUP BY d.id")) {
    EXPECT_EQ(row.at(1), "400") << "decision " << row.at(0) << " was recorded without all its files";
  }
  if (GetParam() == "sqlite") {
    EXPECT_EQ(sql("PRAGMA integrity_check").at(0).at(0), "ok");
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, InventoryBackend, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace

}  // namespace inventory_test
