// Stand-in for GCC 13's std::ios_base_library_init(), which TorchSharp's libLibTorchSharp.so (built against GCC 13)
// references under version GLIBCXX_3.4.32. Older libstdc++ (Debian 12: 3.4.30) does not define it; there the standard
// streams are initialised by a static std::ios_base::Init in every translation unit that includes <iostream>, which is
// exactly what this function does once. Built by libtorch_glibcxx_fix.py and added as a NEEDED library.
#include <ios>

namespace std
{
    void ios_base_library_init()
    {
        static ios_base::Init init;
    }
}
