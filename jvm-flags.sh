# JVM flags every Sluice JVM needs, for the shell scripts that start one (./sluice, perf/run): one list, sourced by
# both. Keep it identical to sluice.jvm.flags in the root pom.xml (what Maven's test JVMs get).
#
#   source "$ROOT/jvm-flags.sh"
#   sluice_jvm_flags RUN_DIR [JAVA]     # sets the array SLUICE_JVM_FLAGS
#
# RUN_DIR is where Chronicle's and JNA's scratch files go unless a node moves them into its own data directory.
# JAVA is the java binary whose version decides the JDK 24+ flags (default: java on the PATH).
sluice_jvm_flags() {
    local run_dir="$1"
    local java="${2:-java}"
    SLUICE_JVM_FLAGS=(
        --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
        --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
        --add-exports java.base/sun.nio.ch=ALL-UNNAMED
        --add-opens java.base/java.lang.reflect=ALL-UNNAMED
        -Dchronicle.analytics.disable=true
        -Dchronicle.announcer.disable=true
        "-Djna.tmpdir=$run_dir/jna"
        "-Dproject.build.directory=$run_dir"
    )
    local java_major
    java_major="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    java_major="${java_major%%.*}"
    # JDK 24+ warns on (and will later refuse) sun.misc.Unsafe memory access and native access without these.
    if [[ "${java_major:-17}" -ge 24 ]]; then
        SLUICE_JVM_FLAGS+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
    fi
}
