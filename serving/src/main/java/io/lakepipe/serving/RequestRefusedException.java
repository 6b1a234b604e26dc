// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

/**
 * A request the service refuses: its HTTP status (4xx, or 503 while no model is loaded), the input
 * field at fault when there is one, and the position of the record in a batch when the request was
 * one.
 */
public final class RequestRefusedException extends ServingException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String field;
  private final Integer index;
  private final String reason;

  RequestRefusedException(int status, String message, String field, Integer index) {
    this(status, message, field, index, null);
  }

  RequestRefusedException(int status, String message, String field, Integer index, String reason) {
    super(message);
    this.status = status;
    this.field = field;
    this.index = index;
    this.reason = reason;
  }

  /** The HTTP status to answer with. */
  public int status() {
    return status;
  }

  /** The input field at fault, or null when the request as a whole is at fault. */
  public String field() {
    return field;
  }

  /** The zero-based position of the faulty record in a batch, or null. */
  public Integer index() {
    return index;
  }

  /** A short machine-readable reason, used as a metrics label. */
  public String reason() {
    if (reason != null) {
      return reason;
    }
    switch (status) {
      case 401:
        return "unauthorized";
      case 403:
        return "forbidden";
      case 413:
        return "payload_too_large";
      case 422:
        return "unscorable";
      case 503:
        return "no_model";
      default:
        return "bad_request";
    }
  }
}
