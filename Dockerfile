# syntax=docker/dockerfile:1
# The tabane image: one static binary on distroless/static, run as the non-root user
# 65532 (distroless "nonroot"); the Kubernetes manifests of `tabane whatif k8s` run it
# with runAsUser 65532 and a read-only root filesystem.
#   docker build -t registry.example.jp/tabane:1.0 .
#   docker run --rm registry.example.jp/tabane:1.0 whatif --help

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# go-sqlite3 needs cgo, so the binary links glibc into itself (-extldflags -static)
# rather than need a C library in the image: the final stage is distroless/static,
# which has none. osusergo and netgo keep user and DNS lookups in Go (glibc's NSS
# cannot be linked statically); sqlite_omit_load_extension drops SQLite's dlopen.
ENV CGO_ENABLED=1
RUN go build -trimpath -tags 'osusergo netgo sqlite_omit_load_extension' \
      -ldflags '-s -w -linkmode external -extldflags "-static"' -o /out/tabane ./cmd/tabane \
 && /out/tabane --help >/dev/null \
 && test -z "$(ldd /out/tabane 2>/dev/null | grep '=>')"

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tabane /usr/local/bin/tabane
USER 65532:65532
WORKDIR /home/nonroot
# tabane serve listens on 127.0.0.1 by default; in a container: serve --addr 0.0.0.0:8080.
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/tabane"]
CMD ["--help"]
