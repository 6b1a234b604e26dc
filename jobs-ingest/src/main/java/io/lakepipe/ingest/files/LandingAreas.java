package io.lakepipe.ingest.files;

import io.lakepipe.core.config.LakepipeConfig;

/** Picks the landing area implementation from the location's scheme. */
public final class LandingAreas {
  private LandingAreas() {}

  public static LandingArea of(LakepipeConfig config) {
    String location = config.string("sources.landing-flights.location");
    if (location.startsWith("s3a://") || location.startsWith("s3://")) {
      return new S3LandingArea(S3Clients.fromConfig(config), location.replaceFirst("^s3://", "s3a://"));
    }
    return new LocalLandingArea(location);
  }
}
