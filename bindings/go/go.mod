module github.com/libmlops/libmlops/bindings/go

go 1.19
