/**
 * The Spark-free online scorer. It will load the portable bundle that jobs-serve-export publishes
 * and answer {@code POST /predict}; until that bundle exists this module holds no code, and Spark
 * must never be added to its dependencies.
 */
package io.lakepipe.serving;
