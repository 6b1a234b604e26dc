// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.bench;

/** The floor of any spark-submit: a main that does nothing (the JVM, spark-submit's launcher). */
public final class EmptyMain {
  private EmptyMain() {}

  public static void main(String[] args) {}
}
