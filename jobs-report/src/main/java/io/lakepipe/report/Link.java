// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

/** A link on the page; the renderer escapes both parts and keeps only http(s) addresses. */
public record Link(String label, String url) {}
