// The C++ side of the consumer check: <mlops.hpp> through the CMake
// target, the calls DESIGN.md fixes (mlops::store from a path, put,
// digest.str(), mlops::error with code()).
#include <mlops.hpp>

#include <cstdio>

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    try {
        mlops::store store(argv[1]);
        mlops::digest d = store.put("bytes from C++");
        if (d.str().rfind("sha256:", 0) != 0) return 1;
        try {
            mlops::store nameless("");  // no path: the library refuses it
            std::fprintf(stderr, "consumer_cpp: a store with no path opened\n");
            return 1;
        } catch (const mlops::error &e) {
            if (e.code() == MLOPS_OK) return 1;
        }
        std::printf("consumer_cpp: stored %s\n", d.str().c_str());
    } catch (const mlops::error &e) {
        std::fprintf(stderr, "consumer_cpp: %s (code %d)\n", e.what(), e.code());
        return 1;
    }
    return 0;
}
