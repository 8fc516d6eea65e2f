# syntax=docker/dockerfile:1
# people-api-emulator: build in one stage (compilers for better-sqlite3), run in a slim one
# of the same Node major and libc (Debian bookworm, glibc), as a non-root user.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Dependencies first (a cached layer); the `prepare` build runs once the sources are in.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY routes ./routes
COPY db ./db
COPY ui ./ui
# The declarations (tsc), then the bundled server (dist/server.mjs and its parts, esbuild from
# the sources) that starts fast; better-sqlite3's compiled module and the packages loaded later
# stay in node_modules. Only what the server runs goes on to the image: the bundle, its
# migrations and web UI, and the packages it loads with their dependencies, each without its
# other builds, sources and build leftovers (scripts/runtime-files.mjs).
RUN npm run build && node scripts/runtime-files.mjs /app /runtime

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    PEOPLE_EMULATOR_HOST=0.0.0.0 \
    PEOPLE_EMULATOR_PORT=8090
WORKDIR /app
COPY --from=build /runtime ./
COPY spec ./spec
COPY fixtures ./fixtures
# Node keeps the compiled bundle here (Node 22.1 and later): made once now, by loading the
# server (--version loads all a start loads and exits), so that every container starts without
# compiling it again.
ENV NODE_COMPILE_CACHE=/app/.compile-cache
RUN mkdir -p /app/.compile-cache && node dist/server.mjs --version >/dev/null && chown -R node:node /app/.compile-cache
# A file database goes here: -e PEOPLE_EMULATOR_DB=/data/people.db -v people-data:/data
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8090
# No curl in the image: Node's own fetch asks the health endpoint.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PEOPLE_EMULATOR_PORT || 8090) + '/_emulator/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly (not npm), so SIGTERM from `docker stop` reaches the server.
ENTRYPOINT ["node", "dist/server.mjs"]
