#!/usr/bin/env bash
# Deploys the Worker onto your own Cloudflare account. Nothing of the
# account is kept in the repository: wrangler reads the token from the
# environment, and the D1 database's id is looked up (or the database
# created) on every deploy and written into wrangler.deploy.jsonc
# (git-ignored), a copy of wrangler.jsonc.
#   CLOUDFLARE_API_TOKEN   required: an API token with the permissions
#                          Workers Scripts: Edit and D1: Edit
#   CLOUDFLARE_ACCOUNT_ID  needed when the token reaches several accounts
# Steps: build (make worker), find or create the D1 database
# kafka-playground-links, apply the migrations it lacks
# (../backend/store/migrations), upload the Worker and its static files.
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${CLOUDFLARE_API_TOKEN:-}" ]; then
  cat >&2 <<'MESSAGE'
worker: not deploying: CLOUDFLARE_API_TOKEN is not set.
Create an API token on your Cloudflare account (My Profile → API Tokens →
Create Token, with the permissions "Workers Scripts: Edit" and "D1: Edit"),
then run:
  CLOUDFLARE_API_TOKEN=… make deploy
(and CLOUDFLARE_ACCOUNT_ID=… too when the token reaches several accounts).
MESSAGE
  exit 1
fi
make -C .. worker
name=kafka-playground-links
find_database() {
  ./wrangler.sh d1 list --json | node -e '
    let text = ""; process.stdin.on("data", (d) => (text += d)).on("end", () => {
      const found = JSON.parse(text.slice(text.indexOf("["))).find((d) => d.name === process.argv[1]);
      if (found) process.stdout.write(found.uuid);
    });' "$name"
}
id=$(find_database)
if [ -z "$id" ]; then
  echo "worker: creating the D1 database $name"
  ./wrangler.sh d1 create "$name" >/dev/null
  id=$(find_database)
fi
[ -n "$id" ] || { echo "worker: the D1 database $name was neither found nor created" >&2; exit 1; }
echo "worker: D1 database $name is $id"
sed "s/\"database_id\": \"local-kafka-playground-links\"/\"database_id\": \"$id\"/" wrangler.jsonc > wrangler.deploy.jsonc
grep -q "\"database_id\": \"$id\"" wrangler.deploy.jsonc || { echo "worker: could not write the database id into wrangler.deploy.jsonc" >&2; exit 1; }
./wrangler.sh d1 migrations apply DB --remote --config wrangler.deploy.jsonc
./wrangler.sh deploy --config wrangler.deploy.jsonc
