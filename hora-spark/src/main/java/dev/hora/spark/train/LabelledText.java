package dev.hora.spark.train;

import java.io.Serializable;

/** One training row: its number {@code index} in input order (see {@link Shards}), text and label 0..n-1. */
public record LabelledText(long index, String text, int label) implements Serializable {
}
