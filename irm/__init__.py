"""The top floor: the `irm` command and the functions the DAGs' tasks call (`irm.tasks`)."""
