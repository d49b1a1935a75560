# syntax=docker/dockerfile:1
# Multi-stage: build with every dependency, run with production dependencies only, as a non-root user.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts tsconfig.json tsconfig.build.json openapi.yaml ./
COPY prisma ./prisma
# The workspaces (client, CLI): npm ci links them, and postinstall generates the client's types from openapi.yaml.
COPY packages ./packages
# postinstall generates the Prisma client (offline: no engine download, see README "Database").
RUN npm ci --no-audit --no-fund
COPY src ./src
# The page (web/) is built into dist/web by the same script; the runtime stage gets it with dist/.
COPY web ./web
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
# Without packages/ the workspaces (client, CLI) are not installed: the service needs neither.
# Scripts stay off: postinstall needs the Prisma CLI (a dev dependency); the client is already compiled in dist/.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY prisma/migrations ./prisma/migrations
COPY openapi.yaml ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Migrations are applied at start (advisory-locked, so several replicas may start at once).
CMD ["node", "dist/src/main.js"]
