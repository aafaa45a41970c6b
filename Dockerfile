# The image every team's user-code deployment and run pods run (helm/values.yaml names it):
# the whole repository, installed by the Makefile's own step, run as a non-root user.
#   docker build -t tailor:$(git rev-parse --short HEAD) .
#   tailor deploy render --image-tag $(git rev-parse --short HEAD) ...
FROM python:3.11-slim-bookworm

# make runs the install step; nothing else is added to the base image
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/tailor
COPY . .
# the project and its pinned DuckDB extension packages (pyproject.toml), in .venv; the code
# stays root's, read-only to the user the pods run as
RUN make install

# the only folder the user writes: in Kubernetes an emptyDir mounted over it. It is the
# working folder, so DuckDB's spill files (.tmp, relative to it) land there too
RUN useradd --system --uid 10001 --home-dir /scratch --no-create-home tailor \
    && mkdir /scratch && chown tailor:tailor /scratch
ENV PATH=/opt/tailor/.venv/bin:$PATH
WORKDIR /scratch
USER 10001

EXPOSE 4000
# No ENTRYPOINT: Dagster's chart gives each deployment's command as the container's args
# (dagster code-server start -h 0.0.0.0 -p <port> <codeServerArgs>), and K8sRunLauncher its
# run pods' (dagster api execute_run ...); an entry point would be prefixed to both. The
# default serves the team module named by TAILOR_CODE_MODULE, as the chart's args do.
CMD ["sh", "-c", "exec dagster code-server start -h 0.0.0.0 -p 4000 -m \"${TAILOR_CODE_MODULE:?the team module to serve, e.g. teams.styling.definitions}\" -a defs"]
