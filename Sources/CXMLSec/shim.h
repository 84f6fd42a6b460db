#ifndef ACCOUNT_CONSOLE_CXMLSEC_SHIM_H
#define ACCOUNT_CONSOLE_CXMLSEC_SHIM_H

/* SwiftPM drops the -D flags pkg-config gives for xmlsec1-openssl; they are set here, as Debian
   12's `pkg-config --cflags xmlsec1-openssl` prints them. XMLSEC_NO_SIZE_T changes the ABI
   (xmlSecSize is a 32-bit unsigned int): the Swift side checks it at start-up. */
#ifndef XMLSEC_NO_SIZE_T
#define XMLSEC_NO_SIZE_T
#endif
#ifndef XMLSEC_CRYPTO_OPENSSL
#define XMLSEC_CRYPTO_OPENSSL 1
#endif
#ifndef XMLSEC_NO_CRYPTO_DYNAMIC_LOADING
#define XMLSEC_NO_CRYPTO_DYNAMIC_LOADING 1
#endif
#ifndef XMLSEC_OPENSSL3_ENGINES
#define XMLSEC_OPENSSL3_ENGINES 1
#endif
#ifndef XMLSEC_NO_GOST
#define XMLSEC_NO_GOST 1
#endif
#ifndef XMLSEC_NO_GOST2012
#define XMLSEC_NO_GOST2012 1
#endif
#ifndef __XMLSEC_FUNCTION__
#define __XMLSEC_FUNCTION__ __func__
#endif

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <libxml/xmlmemory.h>
#include <libxml/xmlsave.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/keys.h>
#include <xmlsec/transforms.h>
#include <xmlsec/errors.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>

/* The size xmlSecSize has in this build (4 with XMLSEC_NO_SIZE_T). */
static inline unsigned long cxmlsec_size_of_xmlsec_size(void) { return (unsigned long)sizeof(xmlSecSize); }

/* xmlFree is a global function pointer, which Swift cannot call directly. */
static inline void cxmlsec_free(void *pointer) { xmlFree(pointer); }

/* The transform klasses: their xmlSec…Id names are macros. */
static inline xmlSecTransformId cxmlsec_exclusive_c14n(void) { return xmlSecTransformExclC14NGetKlass(); }
static inline xmlSecTransformId cxmlsec_exclusive_c14n_with_comments(void) {
    return xmlSecTransformExclC14NWithCommentsGetKlass();
}
static inline xmlSecTransformId cxmlsec_enveloped(void) { return xmlSecTransformEnvelopedGetKlass(); }
static inline xmlSecTransformId cxmlsec_sha256(void) { return xmlSecOpenSSLTransformSha256GetKlass(); }
static inline xmlSecTransformId cxmlsec_rsa_sha256(void) { return xmlSecOpenSSLTransformRsaSha256GetKlass(); }

/* xmlSecCheckVersion is a macro too. */
static inline int cxmlsec_check_version(void) {
    return xmlSecCheckVersionExt(XMLSEC_VERSION_MAJOR, XMLSEC_VERSION_MINOR, XMLSEC_VERSION_SUBMINOR,
                                 xmlSecCheckVersionABICompatible);
}

/* The reference contexts of a verified signature (kept by XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES). */
static inline xmlSecSize cxmlsec_reference_count(xmlSecDSigCtxPtr context) {
    return xmlSecPtrListGetSize(&context->signedInfoReferences);
}
static inline xmlSecDSigReferenceCtxPtr cxmlsec_reference(xmlSecDSigCtxPtr context, xmlSecSize index) {
    return (xmlSecDSigReferenceCtxPtr)xmlSecPtrListGetItem(&context->signedInfoReferences, index);
}

/* A silent error callback: xmlsec would print every failure to stderr. */
static inline void cxmlsec_silence(void) { xmlSecErrorsDefaultCallbackEnableOutput(0); }

#endif
