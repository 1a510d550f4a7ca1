#!/bin/sh
# Builds the base image the container image of queuectl starts from (pom.xml, profile "image"), as a
# `docker save` tar Jib reads (`tar://`), without a daemon and without a registry: Debian's packages
# only, through mmdebstrap (apt-get install mmdebstrap; run as root).
#
#   contrib/image/base-image.sh [OUT.tar]        # default target/image-base.tar
#
# What queuectl's image needs from any base (another one, e.g. from your registry, works when it has
# them; ./mvnw -Pimage package -Dimage.base=REGISTRY/IMAGE):
# - java 17 or newer on PATH, bash and util-linux (setsid; jobs run under sh), tini at /usr/bin/tini
#   (PID 1: forwards SIGTERM to the host and reaps the processes jobs leave behind);
# - a user 10001 (here "queuectl", home /data) and /data owned by it, so a fresh volume on /data
#   starts owned by the user the image runs as;
# - the health check: Jib writes no HEALTHCHECK of its own but keeps the base's, so this base's
#   config carries one, which runs /usr/local/bin/queuectl-healthcheck (added by the image).
# About 4 minutes and 90 MB downloaded the first time (apt's cache makes later runs faster).
set -eu
out=${1:-target/image-base.tar}
suite=${IMAGE_SUITE:-bookworm}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mmdebstrap --variant=essential --include=openjdk-17-jre-headless,tini,ca-certificates \
	--customize-hook='echo "queuectl:x:10001:10001:queuectl:/data:/usr/sbin/nologin" >>"$1/etc/passwd"' \
	--customize-hook='echo "queuectl:x:10001:" >>"$1/etc/group"' \
	--customize-hook='mkdir -p "$1/data" && chown 10001:10001 "$1/data" && chmod 0700 "$1/data"' \
	--customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/* "$1"/usr/share/doc/* "$1"/usr/share/man/*' \
	"$suite" "$work/rootfs.tar"

# one layer, gzipped (Jib would compress it at every build otherwise)
gzip -1 -n <"$work/rootfs.tar" >"$work/layer.tar.gz"
diff_id=sha256:$(sha256sum <"$work/rootfs.tar" | cut -d' ' -f1)
# durations in nanoseconds: check every 30 s, 5 s to answer, 3 failures make it unhealthy; the first
# 90 s (the JVM's start-up, a database still coming up) do not count
cat >"$work/config.json" <<JSON
{"architecture":"$(dpkg --print-architecture)","os":"linux",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"],
  "Healthcheck":{"Test":["CMD","/usr/local/bin/queuectl-healthcheck"],"Interval":30000000000,
   "Timeout":5000000000,"StartPeriod":90000000000,"Retries":3}},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created_by":"contrib/image/base-image.sh: mmdebstrap $suite"}]}
JSON
cat >"$work/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["queuectl-base:$suite"],"Layers":["layer.tar.gz"]}]
JSON
mkdir -p "$(dirname "$out")"
tar -C "$work" -cf "$out.part" manifest.json config.json layer.tar.gz
mv "$out.part" "$out"
echo "$out" >&2
