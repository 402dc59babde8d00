# digital-locker: compiled JavaScript (ADR 9) on Node 24 LTS (ADR 40).
FROM node:24.21.0-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The workspace's manifest: npm ci needs every workspace the lockfile names.
COPY clients/typescript/package.json ./clients/typescript/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The console (ADR 55) is built with the server, from its folder and the typed client's sources.
COPY console ./console
COPY clients/typescript/src ./clients/typescript/src
RUN npm run build && npm prune --omit=dev && rm -rf node_modules/.cache

FROM node:24.21.0-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production LOCKER_HOST=0.0.0.0 LOCKER_PORT=3000 LOCKER_DATA_DIR=/var/lib/locker
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY examples ./examples
# The server's Node flags for the server (ADR 28); every other command on V8's default (ADR 47).
RUN printf '#!/bin/sh\ncase "$1" in serve) exec node --max-semi-space-size=1 --max-old-space-size=256 /app/dist/main.js "$@" ;; esac\nexec node /app/dist/main.js "$@"\n' > /usr/local/bin/locker && chmod +x /usr/local/bin/locker \
 && mkdir -p /var/lib/locker && chown node:node /var/lib/locker
USER node
VOLUME /var/lib/locker
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD node -e "fetch('http://127.0.0.1:3000/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["locker", "serve"]
