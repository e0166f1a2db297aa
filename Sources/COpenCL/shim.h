// COpenCL: not API. The OpenCL 1.2 host API from Debian's opencl-headers, linked against
// the ICD loader (ocl-icd-opencl-dev), so any vendor's driver (or PoCL) is found at run time.
#ifndef SIGAH_COPENCL_SHIM_H
#define SIGAH_COPENCL_SHIM_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#endif
