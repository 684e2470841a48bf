// A C++ training loop with libmlops (include/mlops.hpp, doc/cpp.md):
//
//   1. open (or create) a store and an experiment
//   2. start a run, log the hyperparameters
//   3. train a small logistic regression by gradient descent, logging
//      loss and accuracy every step in batches of 50 points
//   4. write the model file, store it with put_file as the run's output
//   5. register it as the next version of the model "churn-cpp" and point
//      the alias "champion" at it
//
// Build and run:
//
//   c++ -std=c++17 train.cpp $(pkg-config --cflags --libs libmlops) -o train
//   ./train [DIR]          (default: ./mlops-demo-cpp)
//
// Errors are exceptions (mlops::error: code() and the library's message).
#include <mlops.hpp>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr int kRows = 2000;
constexpr int kFeatures = 3;
constexpr int kSteps = 300;
constexpr size_t kBatch = 50;

// A deterministic generator (xorshift64*), so every run draws the same data.
uint64_t rng_state = 0x9E3779B97F4A7C15ull;
double uniform()
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return static_cast<double>((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

struct dataset {
    std::vector<double> x;  // kRows x kFeatures, row-major
    std::vector<int> y;
};

dataset make_data()
{
    const double truth[kFeatures] = {1.5, -2.0, 0.7};
    dataset d;
    for (int i = 0; i < kRows; i++) {
        double z = -0.2;
        for (int j = 0; j < kFeatures; j++) {
            double v = uniform() * 2 - 1;
            d.x.push_back(v);
            z += truth[j] * v;
        }
        d.y.push_back(uniform() < 1 / (1 + std::exp(-4 * z)) ? 1 : 0);
    }
    return d;
}

}  // namespace

int main(int argc, char **argv)
{
    const std::string dir = argc > 1 ? argv[1] : "mlops-demo-cpp";
    try {
        mlops::store store(dir);
        int64_t experiment;
        try {
            experiment = store.get_experiment("churn-cpp").id();
        } catch (const mlops::error &e) {
            if (e.code() != MLOPS_ENOTFOUND) throw;
            experiment = store.create_experiment("churn-cpp");
        }

        const double lr = 0.5;
        mlops::run run = store.start_run(experiment, "logreg");
        run.log_params({{"lr", std::to_string(lr)}, {"steps", std::to_string(kSteps)},
                        {"features", std::to_string(kFeatures)}});

        dataset data = make_data();
        double w[kFeatures] = {0, 0, 0}, b = 0;
        std::vector<mlops::metric> pending;
        for (int step = 1; step <= kSteps; step++) {
            double grad[kFeatures] = {0, 0, 0}, gb = 0, loss = 0;
            int correct = 0;
            for (int i = 0; i < kRows; i++) {
                double z = b;
                for (int j = 0; j < kFeatures; j++) z += w[j] * data.x[static_cast<size_t>(i * kFeatures + j)];
                double p = 1 / (1 + std::exp(-z));
                int y = data.y[static_cast<size_t>(i)];
                loss -= y ? std::log(p + 1e-12) : std::log(1 - p + 1e-12);
                correct += (p >= 0.5) == (y == 1);
                for (int j = 0; j < kFeatures; j++) grad[j] += (p - y) * data.x[static_cast<size_t>(i * kFeatures + j)];
                gb += p - y;
            }
            for (int j = 0; j < kFeatures; j++) w[j] -= lr * grad[j] / kRows;
            b -= lr * gb / kRows;
            pending.push_back({"loss", loss / kRows, step, 0});
            pending.push_back({"accuracy", static_cast<double>(correct) / kRows, step, 0});
            if (pending.size() >= kBatch || step == kSteps) {
                run.log_metrics(pending);  // one transaction per batch
                pending.clear();
            }
        }

        // The model file: the weights as text.
        const std::string model_path = dir + "/model.txt";
        {
            std::ofstream f(model_path);
            f.precision(17);
            for (double v : w) f << v << '\n';
            f << b << '\n';
        }
        mlops::digest model = store.put_file(model_path);
        run.log_output(model, "model.txt", "model");
        run.end();

        try {
            store.create_model("churn-cpp", "logistic regression, trained in C++");
        } catch (const mlops::error &e) {
            if (e.code() != MLOPS_EEXIST) throw;
        }
        int64_t version = store.create_version("churn-cpp", model, run.id());
        store.alias_set("churn-cpp", "champion", version);

        mlops::run_info info = store.get_run(run.id());
        auto loss = info.metric("loss");
        auto acc = info.metric("accuracy");
        std::cout << "run " << info.id() << ": " << loss->count << " loss points, final loss "
                  << loss->last << ", accuracy " << acc->last << "\n"
                  << "model " << model.str() << " registered as churn-cpp version " << version
                  << " (churn-cpp@champion -> " << store.resolve("churn-cpp@champion").first << ")\n";
        if (!(acc->last > 0.8)) {
            std::cerr << "train: the model did not learn (accuracy " << acc->last << ")\n";
            return 1;
        }
        return 0;
    } catch (const mlops::error &e) {
        std::cerr << "train: " << e.what() << " (" << mlops_strerror(e.code()) << ")\n";
        return 1;
    }
}
