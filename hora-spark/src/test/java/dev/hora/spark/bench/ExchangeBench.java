package dev.hora.spark.bench;

import dev.hora.spark.train.BarrierExchange;
import dev.hora.spark.train.GradientExchange;
import dev.hora.spark.train.SocketExchange;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Function1;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The all-reduce alone: two barrier tasks exchange a vector of the adapter's length {@code reps} times with no
 * compute in between (after 3 warm-up exchanges); returns worker 0's mean ms per all-reduce.
 */
final class ExchangeBench {
    private ExchangeBench() {
    }

    @SuppressWarnings("unchecked")
    static double msPerAllReduce(SparkSession spark, GradientExchange.Kind kind, int floats, int reps) {
        JavaRDD<Integer> two = new JavaSparkContext(spark.sparkContext()).parallelize(List.of(0, 1), 2);
        ClassTag<Double> tag = ClassTag$.MODULE$.apply(Double.class);
        Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<Double>> body =
                (Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<Double>> & Serializable) it -> {
                    BarrierTaskContext ctx = BarrierTaskContext.get();
                    try {
                        GradientExchange ex = kind == GradientExchange.Kind.SOCKET ? new SocketExchange(ctx)
                                : new BarrierExchange(ctx);
                        float[] v = new float[floats];
                        for (int i = 0; i < 3; i++) {
                            ex.allReduceMean(v, 8);
                        }
                        long t0 = System.nanoTime();
                        for (int i = 0; i < reps; i++) {
                            v = ex.allReduceMean(v, 8);
                        }
                        double ms = (System.nanoTime() - t0) / 1e6 / reps;
                        if (ex instanceof AutoCloseable c) {
                            c.close();
                        }
                        return CollectionConverters.asScala(List.of(ms).iterator());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
        return JavaRDD.fromRDD(two.rdd().barrier().mapPartitions(body, false, tag), tag).collect().get(0);
    }
}
