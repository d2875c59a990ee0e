/** The services file of the seed plan: frontend, backend and csvtomdb. */
export const SEED = `
registry: omispcacrprod.azurecr.io
repository-prefix: omis-pc
shared: ["docker/**", ".github/deploy-services.yml"]
services:
  frontend:
    path: frontend
    toolchain: node@20
    commands: {install: yarn install --frozen-lockfile, lint: yarn lint, test: yarn test, build: yarn build}
    watch: ["libs/ui/**"]
    depends-on: [backend]
  backend:
    path: backend
    toolchain: java@17
    commands: {build: mvn -B package}
  csvtomdb:
    path: csv-to-mdb
    toolchain: java@17
    dockerfile: csv-to-mdb/docker/Dockerfile
`;
