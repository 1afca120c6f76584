# Vinculo in a container: build the web pages, build the binary, run it as a
# non-root user with the data dir as a volume.
#   docker build -t vinculo .
#   docker run -p 8090:8090 -v vinculo_data:/data vinculo

# 1. The web pages (staff workspace and portal), when the UI sources are there.
FROM node:20-bookworm-slim AS ui
WORKDIR /src/ui
COPY ui/ ./
RUN if [ -f package.json ]; then npm ci && npm run build; else mkdir -p dist; fi

# 2. The binary: pure Go (SQLite included), static.
FROM golang:1.27-bookworm AS build
ENV GOTOOLCHAIN=auto CGO_ENABLED=0
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=ui /src/ui/dist ./ui/dist
RUN go build -trimpath -ldflags="-s -w" -o /out/vinculo .

# 3. The runtime: certificates for SMTP and an S3 replica over TLS,
#    an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin vinculo \
 && mkdir -p /data /app/hooks /app/pb_migrations \
 && chown vinculo:vinculo /data
COPY --from=build /out/vinculo /usr/local/bin/vinculo
# The shipped hooks are built into the binary; /app/hooks is the folder for the
# business's own (mount one there: they add to the shipped ones, or replace one
# by file name).
WORKDIR /app
USER vinculo
# Inside the container the server must listen on every interface to be
# reachable through the published port; publish it on 127.0.0.1 on the host
# (-p 127.0.0.1:8090:8090) unless a reverse proxy in front needs otherwise.
ENV VINCULO_DATA_DIR=/data \
    VINCULO_HTTP=0.0.0.0:8090
VOLUME ["/data"]
EXPOSE 8090
ENTRYPOINT ["/usr/local/bin/vinculo"]
CMD ["serve"]
