"""Write a synthetic AWS Price List EC2 offer file in the real structure, for the streaming benchmark.

Same layout as a real regional file (formatVersion … products{SKU: {sku, productFamily, attributes}},
terms{OnDemand{SKU: {SKU.CODE: {…priceDimensions…}}}, Reserved{…}}, attributesList), pretty-printed
with AWS's `"key" : value` style. Mostly CPU instances, one in forty an accelerator instance, every
product with OS/tenancy/capacity variants and six reserved offers, like the real ~480 MB us-east-1 file.

    python benchmarks/gen_aws_offer.py OUT.json [--mb 420]
"""

import argparse
import json
import random

CPU = ["m5.large", "m5.xlarge", "c5.2xlarge", "r6i.4xlarge", "m7g.medium", "c7i.8xlarge", "t3.micro"]
ACCELERATORS = [
    ("p5.48xlarge", "GPU instance", "8"),
    ("p4d.24xlarge", "GPU instance", "8"),
    ("trn2.48xlarge", "Machine Learning ASIC Instances", ""),
    ("g5.xlarge", "GPU instance", "1"),
    ("inf2.48xlarge", "Machine Learning ASIC Instances", ""),
]
VARIANTS = [
    ("Linux", "Shared", "Used", "NA"),
    ("Windows", "Shared", "Used", "NA"),
    ("Linux", "Dedicated", "Used", "NA"),
    ("Linux", "Shared", "UnusedCapacityReservation", "NA"),
    ("RHEL", "Shared", "Used", "NA"),
    ("Linux", "Shared", "Used", "SQL Std"),
]
RESERVED = [
    (length, option, klass)
    for length in ("1yr", "3yr")
    for option in ("No Upfront", "All Upfront")
    for klass in ("standard", "convertible")
][:6]


def dumps(value, indent: int) -> str:
    text = json.dumps(value, indent=2, separators=(",", " : "))
    return text.replace("\n", "\n" + " " * indent)


def product(sku: str, instance: str, family: str, gpu: str, variant) -> dict:
    os_, tenancy, capacity, software = variant
    return {
        "sku": sku,
        "productFamily": "Compute Instance",
        "attributes": {
            "servicecode": "AmazonEC2",
            "location": "US East (N. Virginia)",
            "locationType": "AWS Region",
            "instanceType": instance,
            "currentGeneration": "Yes",
            "instanceFamily": family,
            "vcpu": "192",
            "physicalProcessor": "AMD EPYC",
            "clockSpeed": "3.6 GHz",
            "memory": "2048 GiB",
            "storage": "8 x 3840 NVMe SSD",
            "networkPerformance": "3200 Gigabit",
            "processorArchitecture": "64-bit",
            "tenancy": tenancy,
            "operatingSystem": os_,
            "licenseModel": "No License required",
            "usagetype": f"BoxUsage:{instance}",
            "operation": "RunInstances",
            "availabilityzone": "NA",
            "capacitystatus": capacity,
            "classicnetworkingsupport": "false",
            "dedicatedEbsThroughput": "80000 Mbps",
            "ecu": "NA",
            "enhancedNetworkingSupported": "Yes",
            **({"gpu": gpu} if gpu else {}),
            "gpuMemory": "NA",
            "intelAvxAvailable": "No",
            "intelAvx2Available": "No",
            "intelTurboAvailable": "No",
            "marketoption": "OnDemand",
            "normalizationSizeFactor": "384",
            "preInstalledSw": software,
            "processorFeatures": "AMD Turbo",
            "regionCode": "us-east-1",
            "servicename": "Amazon Elastic Compute Cloud",
            "vpcnetworkingsupport": "true",
        },
    }


def offer(sku: str, code: str, price: float, reserved=None) -> dict:
    dims = {
        f"{sku}.{code}.6YS6EN2CT7": {
            "rateCode": f"{sku}.{code}.6YS6EN2CT7",
            "description": f"${price:.4f} per Linux instance hour",
            "beginRange": "0",
            "endRange": "Inf",
            "unit": "Hrs",
            "pricePerUnit": {"USD": f"{price:.10f}"},
            "appliesTo": [],
        }
    }
    attributes = {}
    if reserved:
        length, option, klass = reserved
        attributes = {"LeaseContractLength": length, "OfferingClass": klass, "PurchaseOption": option}
        if option != "No Upfront":
            dims[f"{sku}.{code}.2TG2D8R56U"] = {
                "rateCode": f"{sku}.{code}.2TG2D8R56U",
                "description": "Upfront Fee",
                "unit": "Quantity",
                "pricePerUnit": {"USD": f"{price * 8760:.10f}"},
                "appliesTo": [],
            }
    return {
        f"{sku}.{code}": {
            "offerTermCode": code,
            "sku": sku,
            "effectiveDate": "2026-11-01T00:00:00Z",
            "priceDimensions": dims,
            "termAttributes": attributes,
        }
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--mb", type=int, default=420)
    args = parser.parse_args()
    rng = random.Random(42)
    skus = []
    per_sku = 7_900  # bytes of products + terms per SKU, measured on this generator's output
    for i in range(args.mb * 1024 * 1024 // per_sku + 1):
        instance, family, gpu = (
            ACCELERATORS[i // 40 % len(ACCELERATORS)] if i % 40 == 0 else (CPU[i % len(CPU)], "General purpose", "")
        )
        skus.append((f"SKU{i:013d}", instance, family, gpu, VARIANTS[i % len(VARIANTS)], rng.uniform(0.01, 120)))
    with open(args.out, "w") as f:
        f.write(
            '{\n  "formatVersion" : "v1.0",\n  "disclaimer" : "This pricing list is for informational purposes '
            'only.",\n  "offerCode" : "AmazonEC2",\n  "version" : "20261120000000",\n  "publicationDate" : '
            '"2026-11-20T00:00:00Z",\n  "products" : {\n'
        )
        f.write(
            ",\n".join(f'    "{s}" : {dumps(product(s, inst, fam, gpu, var), 4)}' for s, inst, fam, gpu, var, _ in skus)
        )
        f.write('\n  },\n  "terms" : {\n    "OnDemand" : {\n')
        f.write(",\n".join(f'      "{s}" : {dumps(offer(s, "JRTCKXETXF", price), 6)}' for s, _, _, _, _, price in skus))
        f.write('\n    },\n    "Reserved" : {\n')
        f.write(
            ",\n".join(
                f'      "{s}" : '
                + dumps(
                    {k: v for n, r in enumerate(RESERVED) for k, v in offer(s, f"RES{n:07d}", price * 0.6, r).items()},
                    6,
                )
                for s, _, _, _, _, price in skus
            )
        )
        f.write('\n    }\n  },\n  "attributesList" : { }\n}\n')


if __name__ == "__main__":
    main()
