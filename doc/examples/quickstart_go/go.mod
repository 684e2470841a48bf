module quickstart_go

go 1.19

require github.com/libmlops/libmlops/bindings/go v0.0.0

replace github.com/libmlops/libmlops/bindings/go => ../../../bindings/go
