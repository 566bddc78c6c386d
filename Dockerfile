# The IRM pipeline on the official Airflow image: one image for every Airflow service of
# docker-compose.yml (api-server, scheduler, dag-processor, triggerer, Celery workers, init).
# The tag follows the apache-airflow pin in constraints/constraints-3.11.txt; the project is
# installed with that same constraints file, as `make install` does (the FAB auth manager's
# provider, apache-airflow-providers-fab, comes pinned with it).
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11
ARG AIRFLOW_VERSION

# The code lives in /opt/irm/app (installed editable: dags/ and dbt_project/ are found beside
# the packages, from core/config.py); every generated file under the data root, a volume shared
# by all services.
ENV IRM_APP=/opt/irm/app \
    IRM_DATA_ROOT=/opt/irm/data \
    AIRFLOW_HOME=/opt/irm/data/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/irm/app/dags \
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=False \
    GX_ANALYTICS_ENABLED=false \
    DO_NOT_TRACK=1

USER root
# Headless Chromium prints the weekly report to PDF (exports/pdf.py); DejaVu is the report's
# font. Without it the export still runs, without the PDF.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        chromium fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
# Created here so the named volumes mounted on them start out owned by the airflow user.
RUN mkdir -p /opt/irm/app /opt/irm/data/airflow \
    && chown -R airflow:0 /opt/irm
USER airflow
WORKDIR /opt/irm/app

COPY --chown=airflow:0 . .
# apache-airflow is named with the image's version so the constraints cannot move it.
RUN pip install --no-cache-dir --constraint constraints/constraints-3.11.txt \
        "apache-airflow==${AIRFLOW_VERSION}" --editable .

# The manifest the mart checks, the export and the transform's count of dbt tests read.
RUN cd dbt_project \
    && IRM_WAREHOUSE_PATH=/tmp/parse.duckdb dbt parse --profiles-dir . --target duckdb --quiet \
    && rm -rf logs /tmp/parse.duckdb
