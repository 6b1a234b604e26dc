package io.lakepipe.core.tracking;

/** A registered model version as the MLflow registry reports it. */
public record ModelVersion(String name, String version, String source, String runId) {}
