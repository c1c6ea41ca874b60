// Validates many data files against one shapes file with TopBraid SHACL, in one JVM.
//
// Usage (Java 11+ source launcher, TopBraid SHACL's lib/ on the class path):
//   java -cp "<shacl>/lib/*" ValidateMany.java SHAPES VOCABULARY OUTDIR CASE...
// For the i-th CASE (0-based) it writes OUTDIR/i.nt: the validation report of
// CASE merged with VOCABULARY. Starting the JVM once instead of once per case (as
// org.topbraid.shacl.tools.Validate would) makes tests/shapes/test_topbraid.py
// take seconds instead of minutes; the engine call is the same one that tool makes.

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.apache.jena.rdf.model.Model;
import org.apache.jena.rdf.model.ModelFactory;
import org.apache.jena.rdf.model.Resource;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.topbraid.shacl.validation.ValidationUtil;

public final class ValidateMany {
    private ValidateMany() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ValidateMany SHAPES VOCABULARY OUTDIR CASE...");
            System.exit(2);
        }
        Model shapes = RDFDataMgr.loadModel(args[0]);
        Model vocabulary = RDFDataMgr.loadModel(args[1]);
        Path outdir = Paths.get(args[2]);
        for (int i = 3; i < args.length; i++) {
            Model data = ModelFactory.createDefaultModel();
            data.add(vocabulary);
            RDFDataMgr.read(data, args[i]);
            Resource report = ValidationUtil.validateModel(data, shapes, true);
            try (OutputStream out = Files.newOutputStream(outdir.resolve((i - 3) + ".nt"))) {
                RDFDataMgr.write(out, report.getModel(), Lang.NTRIPLES);
            }
        }
    }
}
